using System.Buffers.Binary;

namespace Campus.IoT.Devices.Panels.Gbt26875;

/// <summary>
/// A GB/T 26875.3-2011 frame: start <c>40 40</c>; control unit (serial 2 LE, version 2, time 6 = s m h D M Y-2000,
/// source address 6, destination address 6, application data length 2 LE, command 1); application data; checksum (the low
/// 8 bits of the sum of the control unit and the application data); end <c>23 23</c>.
/// </summary>
public sealed record Gbt26875Frame(ushort Serial, byte VersionMajor, byte VersionMinor, byte[] Time, byte[] Source, byte[] Destination, byte Command, byte[] Data)
{
    public const int ControlUnitBytes = 25;

    /// <summary>Start, control unit, checksum and end: a frame is this plus its application data.</summary>
    public const int OverheadBytes = 2 + ControlUnitBytes + 1 + 2;

    public const byte SendData = 2;
    public const byte Confirm = 3;
    public const byte Response = 5;
    public const byte Deny = 6;

    /// <summary>The 6-byte time tag for a moment, in China Standard Time (UTC+8), as panels in China keep it.</summary>
    public static byte[] TimeTag(DateTimeOffset at)
    {
        var local = at.ToOffset(TimeSpan.FromHours(8));
        return [(byte)local.Second, (byte)local.Minute, (byte)local.Hour, (byte)local.Day, (byte)local.Month, (byte)(local.Year - 2000)];
    }

    public static byte Checksum(ReadOnlySpan<byte> controlUnitAndData)
    {
        var sum = 0;
        foreach (var b in controlUnitAndData)
        {
            sum += b;
        }

        return (byte)sum;
    }

    public byte[] Encode()
    {
        var frame = new byte[OverheadBytes + Data.Length];
        frame[0] = 0x40;
        frame[1] = 0x40;
        var cu = frame.AsSpan(2, ControlUnitBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(cu, Serial);
        cu[2] = VersionMajor;
        cu[3] = VersionMinor;
        Time.CopyTo(cu[4..10]);
        Source.CopyTo(cu[10..16]);
        Destination.CopyTo(cu[16..22]);
        BinaryPrimitives.WriteUInt16LittleEndian(cu[22..24], (ushort)Data.Length);
        cu[24] = Command;
        Data.CopyTo(frame.AsSpan(2 + ControlUnitBytes));
        frame[^3] = Checksum(frame.AsSpan(2, ControlUnitBytes + Data.Length));
        frame[^2] = 0x23;
        frame[^1] = 0x23;
        return frame;
    }

    /// <summary>Reads a frame whose start, length, end and checksum have been checked.</summary>
    public static Gbt26875Frame Decode(ReadOnlySpan<byte> frame)
    {
        var cu = frame.Slice(2, ControlUnitBytes);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(cu[22..24]);
        return new Gbt26875Frame(
            BinaryPrimitives.ReadUInt16LittleEndian(cu),
            cu[2],
            cu[3],
            cu[4..10].ToArray(),
            cu[10..16].ToArray(),
            cu[16..22].ToArray(),
            cu[24],
            frame.Slice(2 + ControlUnitBytes, length).ToArray());
    }

    /// <summary>The answer the standard asks for: same serial and version, addresses swapped, no data, a fresh time tag.</summary>
    public byte[] Answer(byte command, DateTimeOffset now) =>
        new Gbt26875Frame(Serial, VersionMajor, VersionMinor, TimeTag(now), Destination, Source, command, []).Encode();
}
