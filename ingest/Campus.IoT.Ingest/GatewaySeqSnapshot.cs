namespace Campus.IoT.Ingest;

/// <summary>One gateway's message sequence as ingest has seen it: last seq, messages, missing, duplicates, spool resets.</summary>
public sealed record GatewaySeqSnapshot(string Site, string Gateway, long LastSeq, long Messages, long Missing, long Duplicates, long Resets);
