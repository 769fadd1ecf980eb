namespace Campus.IoT.Gateway.Spool;

/// <summary>What a spooled message is. Events (fire panel, smoke inputs) are never dropped and always go first.</summary>
public enum SpoolKind : byte
{
    Telemetry = 1,
    Events = 2,
}
