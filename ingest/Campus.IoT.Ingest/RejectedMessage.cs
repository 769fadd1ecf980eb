namespace Campus.IoT.Ingest;

/// <summary>
/// A rejected message or item as an operator sees it: where, when, why, and the payload as text (truncated to 4 KiB;
/// the whole raw payload is at <c>GET /api/ingest/rejects/{Id}/payload</c>).
/// </summary>
public sealed record RejectedMessage(long Id, DateTimeOffset ReceivedAt, string Topic, string Scope, string Reason, string Detail, int? Index, string Payload, long PayloadBytes);
