namespace Campus.IoT.Alerting;

/// <summary>Alarm states after ISA-18.2 / ThingsBoard, plus shelved and suppressed.</summary>
public enum AlarmState
{
    ActiveUnack,
    ActiveAck,
    ClearedUnack,
    Cleared,
    Shelved,
    Suppressed,
}
