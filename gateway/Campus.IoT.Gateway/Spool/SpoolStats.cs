namespace Campus.IoT.Gateway.Spool;

/// <summary>What the gateway reports in its health message and metrics.</summary>
public sealed record SpoolStats(long Depth, long Bytes, long LastSeq, long DroppedTelemetry, long RecoveredTruncatedBytes, long CorruptRecords);
