namespace Campus.IoT.Ingest;

/// <summary>A rejected message or item as an operator sees it: where, when, why, and the payload (truncated to 4 KiB).</summary>
public sealed record RejectedMessage(DateTimeOffset ReceivedAt, string Topic, string Scope, string Reason, string Detail, int? Index, string Payload);
