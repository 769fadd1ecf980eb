using System.Text;

namespace Campus.IoT.Devices.Panels.ContactId;

/// <summary>A deterministic Contact ID source: valid lines for given events, optionally with noise lines between them.</summary>
public sealed class ContactIdSimulator(string account = "1234", int seed = 1)
{
    private readonly Random _random = new(seed);

    /// <summary>One message as the serial line carries it, with its correct check digit and a CRLF.</summary>
    public byte[] Line(char qualifier, int code, int group, int zone, bool spaced = true)
    {
        var digits = new ContactIdMessage(account, "18", qualifier, code, group.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), zone.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Format();
        var text = spaced ? $"{digits[..4]} {digits[4..6]} {digits[6]} {digits[7..10]} {digits[10..12]} {digits[12..15]} {digits[15]}" : digits;
        return Encoding.ASCII.GetBytes(text + "\r\n");
    }

    /// <summary>A random sequence of known events (new and restore), for load and property tests.</summary>
    public byte[] Stream(int messages)
    {
        var codes = ContactIdCodes.Known.ToArray();
        var bytes = new List<byte>();
        for (var i = 0; i < messages; i++)
        {
            bytes.AddRange(Line(_random.Next(2) == 0 ? '1' : '3', codes[_random.Next(codes.Length)], 1 + _random.Next(8), 1 + _random.Next(999), spaced: _random.Next(2) == 0));
        }

        return [.. bytes];
    }
}
