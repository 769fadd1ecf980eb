using System.Buffers.Binary;
using System.IO.Hashing;

namespace Campus.IoT.Gateway.Spool;

/// <summary>
/// Record layout, little-endian: u32 body length, u32 CRC-32 of the body, body = u8 kind, i64 seq, payload. A torn or
/// corrupted record fails its length or CRC check and is never returned.
/// </summary>
internal static class SpoolFormat
{
    public const int HeaderBytes = 8;
    public const int BodyPrefixBytes = 9;
    public const int MaxPayloadBytes = 1024 * 1024;

    public static byte[] Encode(SpoolKind kind, long seq, ReadOnlySpan<byte> payload)
    {
        var record = new byte[HeaderBytes + BodyPrefixBytes + payload.Length];
        var body = record.AsSpan(HeaderBytes);
        body[0] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(body[1..], seq);
        payload.CopyTo(body[BodyPrefixBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(body));
        return record;
    }

    /// <summary>Reads one record at the stream's position; false (position unchanged) if what is there is incomplete or corrupt.</summary>
    public static bool TryRead(Stream stream, out SpoolKind kind, out long seq, out byte[] payload, out long recordBytes)
    {
        kind = default;
        seq = 0;
        payload = [];
        recordBytes = 0;
        var start = stream.Position;
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
        {
            stream.Position = start;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (length < BodyPrefixBytes || length > BodyPrefixBytes + MaxPayloadBytes)
        {
            stream.Position = start;
            return false;
        }

        var body = new byte[length];
        if (stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false) < body.Length || Crc32.HashToUInt32(body) != crc
            || body[0] is not ((byte)SpoolKind.Telemetry or (byte)SpoolKind.Events))
        {
            stream.Position = start;
            return false;
        }

        kind = (SpoolKind)body[0];
        seq = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(1));
        payload = body[BodyPrefixBytes..];
        recordBytes = HeaderBytes + length;
        return true;
    }
}
