namespace Campus.IoT.Ingest;

internal enum SeqOutcome
{
    First,
    InOrder,
    Gap,
    Duplicate,
    Reset,
}
