namespace Campus.IoT.Dashboard.Api;

/// <summary>Body of <c>POST /api/alarms/{id}/ack</c>.</summary>
internal sealed record AckRequest(string? By, string? Note);
