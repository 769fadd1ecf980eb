using System.Buffers.Binary;
using System.Text;

namespace Campus.IoT.Devices.Panels.Gbt26875;

/// <summary>
/// A deterministic GB/T 26875.3 transmission device: send-data frames with rising serial numbers carrying component status
/// objects (fire, fault, shielded, supervisory, normal) with GB18030 descriptions, chosen by a seeded generator.
/// </summary>
public sealed class Gbt26875Simulator(int seed = 1)
{
    private static readonly Encoding Gb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936)!;
    private static readonly byte[] Device = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
    private static readonly byte[] Center = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00];
    private static readonly ushort[] Statuses = [0b0000_0001, 0b0000_0010, 0b0000_0100, 0b0000_1000, 0b0001_0000];
    private readonly Random _random = new(seed);
    private ushort _serial;

    /// <summary>One component status frame (type 2) at <paramref name="at"/>.</summary>
    public byte[] Component(ushort status, byte loop, ushort device, string description, DateTimeOffset at)
    {
        var data = new byte[2 + 46];
        data[0] = 2;
        data[1] = 1;
        data[2] = 1;   // system type: fire alarm system
        data[3] = 1;   // system address
        data[4] = 21;  // component type: point smoke detector
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(5), (uint)((loop << 16) | device));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(9), status);
        var text = Gb18030.GetBytes(description);
        text.AsSpan(0, Math.Min(text.Length, 31)).CopyTo(data.AsSpan(11, 31));
        Gbt26875Frame.TimeTag(at).CopyTo(data.AsSpan(42));
        return new Gbt26875Frame(++_serial, 1, 0, Gbt26875Frame.TimeTag(at), Device, Center, Gbt26875Frame.SendData, data).Encode();
    }

    /// <summary>A seeded sequence of component frames for load and property tests.</summary>
    public byte[] Stream(int frames, DateTimeOffset at)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < frames; i++)
        {
            bytes.AddRange(Component(Statuses[_random.Next(Statuses.Length)], (byte)(1 + _random.Next(4)), (ushort)(1 + _random.Next(200)), $"{1 + _random.Next(6)}层 走廊 感烟探测器", at));
        }

        return [.. bytes];
    }
}
