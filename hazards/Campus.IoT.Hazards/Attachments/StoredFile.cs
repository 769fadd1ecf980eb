namespace Campus.IoT.Hazards.Attachments;

/// <summary>The outcome of storing an upload: its hash, size and sniffed type, or why it was refused.</summary>
internal sealed record StoredFile(string Sha256, long Size, string ContentType, string? Refusal)
{
    public static StoredFile Refused(string reason) => new(string.Empty, 0, string.Empty, reason);
}
