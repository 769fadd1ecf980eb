namespace Campus.IoT.Alerting;

public sealed record AlarmAuditEntry(DateTimeOffset At, string Transition, string State, string By, string? Note);
