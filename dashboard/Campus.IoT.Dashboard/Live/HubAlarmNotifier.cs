using Campus.IoT.Alerting;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Dashboard.Devices;
using Microsoft.AspNetCore.SignalR;

namespace Campus.IoT.Dashboard.Live;

/// <summary>Pushes every stored alarm change to the alarm's site group and to the all-sites group.</summary>
internal sealed class HubAlarmNotifier(IHubContext<LiveHub> hub, SiteDirectory sites) : IAlarmNotifier
{
    public Task AlarmChangedAsync(Alarm alarm, CancellationToken cancellationToken) =>
        hub.Clients.Groups([LiveHub.GroupOf(alarm.Site), LiveHub.GroupOf(LiveHub.AllSites)])
            .SendAsync("alarmChanged", AlarmDto.From(alarm, sites), cancellationToken);
}
