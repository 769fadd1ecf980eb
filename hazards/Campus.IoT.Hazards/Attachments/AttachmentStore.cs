using System.Security.Cryptography;

namespace Campus.IoT.Hazards.Attachments;

/// <summary>
/// Photos and files of hazards on disk, each named by the lower-case hex SHA-256 of its content (the same photo attached
/// twice is stored once). An upload is streamed into a temporary file in the same directory while it is hashed and counted;
/// a file over the limit, or whose first bytes are not one of the accepted types (JPEG, PNG, WebP, PDF, XLSX), is refused
/// with the reason and its temporary file removed, so a refusal writes nothing. An accepted file is renamed into place
/// (atomic on one file system). The client's content type is never trusted: the type comes from the magic bytes.
/// </summary>
internal sealed class AttachmentStore
{
    private const int HeaderLength = 16;

    public AttachmentStore(string directory, long maxBytes)
    {
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public long MaxBytes { get; }

    /// <summary>Stores <paramref name="content"/> unless it is refused (then <see cref="StoredFile.Refusal"/> says why and nothing was written).</summary>
    public async Task<StoredFile> SaveAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var temp = Path.Combine(Directory, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var header = new byte[HeaderLength];
            var headerLength = 0;
            long size = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > MaxBytes)
                    {
                        return StoredFile.Refused($"文件超过 {MaxBytes} 字节上限 / the file is larger than the limit of {MaxBytes} bytes");
                    }

                    if (headerLength < HeaderLength)
                    {
                        var take = Math.Min(HeaderLength - headerLength, read);
                        Array.Copy(buffer, 0, header, headerLength, take);
                        headerLength += take;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
            }

            if (size == 0)
            {
                return StoredFile.Refused("文件为空 / the file is empty");
            }

            if (Sniff(header.AsSpan(0, headerLength), fileName) is not { } contentType)
            {
                return StoredFile.Refused("文件类型不受支持（仅限 JPEG、PNG、WebP、PDF、XLSX）/ the content is not a JPEG, PNG, WebP, PDF or XLSX file");
            }

            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            var target = PathOf(sha);
            if (File.Exists(target))
            {
                // Already stored: the same content, the same name.
                return new StoredFile(sha, size, contentType, null);
            }

            File.Move(temp, target, overwrite: true);
            return new StoredFile(sha, size, contentType, null);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The content of a stored file, or null when it is missing.</summary>
    public Stream? Open(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null;
    }

    public string PathOf(string sha256) => Path.Combine(Directory, sha256);

    /// <summary>The content type the first bytes show, or null for a type not accepted. A zip is accepted only as an .xlsx.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> header, string fileName)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        if (header.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]) && fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        }

        return null;
    }
}
