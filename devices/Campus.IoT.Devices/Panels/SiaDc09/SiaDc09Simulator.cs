using System.Globalization;
using Campus.IoT.Devices.Panels.ContactId;

namespace Campus.IoT.Devices.Panels.SiaDc09;

/// <summary>
/// A deterministic DC-09 transmitter: frames with rising sequence numbers, correct CRC-16/ARC and length, carrying
/// ADM-CID (Contact ID) or SIA-DCS events chosen by a seeded generator, plus NULL supervision frames.
/// </summary>
public sealed class SiaDc09Simulator(string account = "1234", int seed = 1)
{
    private static readonly string[] SiaCodes = ["FA", "FH", "FT", "FJ", "FS", "AT", "AR", "RP"];
    private readonly Random _random = new(seed);
    private int _sequence;

    public byte[] AdmCid(char qualifier, int code, int group, int zone) =>
        SiaDc09Parser.Frame(string.Create(CultureInfo.InvariantCulture, $"\"ADM-CID\"{Next()}R0L0#{account}[#{account}|{qualifier}{code:D3} {group:D2} {zone:D3}]"));

    public byte[] SiaDcs(string code, int zone) =>
        SiaDc09Parser.Frame(string.Create(CultureInfo.InvariantCulture, $"\"SIA-DCS\"{Next()}R0L0#{account}[#{account}|Nri1/{code}{zone:D3}]"));

    public byte[] Null() => SiaDc09Parser.Frame($"\"NULL\"{Next()}R0L0#{account}[]");

    /// <summary>A seeded mix of frames for load and property tests.</summary>
    public byte[] Stream(int frames)
    {
        var codes = ContactIdCodes.Known.ToArray();
        var bytes = new List<byte>();
        for (var i = 0; i < frames; i++)
        {
            bytes.AddRange(_random.Next(3) switch
            {
                0 => AdmCid(_random.Next(2) == 0 ? '1' : '3', codes[_random.Next(codes.Length)], 1 + _random.Next(8), 1 + _random.Next(999)),
                1 => SiaDcs(SiaCodes[_random.Next(SiaCodes.Length)], 1 + _random.Next(999)),
                _ => Null(),
            });
        }

        return [.. bytes];
    }

    private string Next() => ((_sequence++ % 9999) + 1).ToString("D4", CultureInfo.InvariantCulture);
}
