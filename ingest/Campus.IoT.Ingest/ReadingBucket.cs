namespace Campus.IoT.Ingest;

/// <summary>One step of a history series: the bucket's start and the statistics of the readings in it.</summary>
public sealed record ReadingBucket(DateTimeOffset Ts, double Mean, double Min, double Max, long Count);
