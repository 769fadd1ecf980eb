namespace Campus.IoT.Telemetry;

public enum TopicKind
{
    Status,
    Telemetry,
    Events,
}
