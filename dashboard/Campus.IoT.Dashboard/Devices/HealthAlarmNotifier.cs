using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Live;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>
/// The alarm service's notifier: the guard room's push first (<see cref="HubAlarmNotifier"/>), then the health view's
/// index of device alarm conditions (<see cref="DeviceAlarmIndex"/>), which never delays or fails the push.
/// </summary>
internal sealed class HealthAlarmNotifier(HubAlarmNotifier hub, DeviceAlarmIndex index) : IAlarmNotifier
{
    public async Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken)
    {
        try
        {
            await hub.AlarmChangedAsync(alarm, cancellationToken);
        }
        finally
        {
            index.Apply(alarm);
        }
    }
}
