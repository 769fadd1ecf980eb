namespace Campus.IoT.Alerting;

/// <summary>Alarm priority, highest first (ISA-18.2 priorities; ThingsBoard severities).</summary>
public enum AlarmSeverity
{
    Critical = 0,
    Major = 1,
    Minor = 2,
    Warning = 3,
}
