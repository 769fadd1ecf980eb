namespace Campus.IoT.Alerting;

/// <summary>Receives every alarm change after it is stored (the dashboard pushes it to the guard room).</summary>
public interface IAlarmNotifier
{
    Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken);
}
