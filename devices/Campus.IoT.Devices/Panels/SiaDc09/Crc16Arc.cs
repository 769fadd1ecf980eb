namespace Campus.IoT.Devices.Panels.SiaDc09;

/// <summary>CRC-16/ARC (poly 0x8005 reflected as 0xA001, init 0, no final xor), as SIA DC-09 uses it.</summary>
public static class Crc16Arc
{
    private static readonly ushort[] Table = Build();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] Build()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
