using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Dashboard.Devices;
using Microsoft.AspNetCore.SignalR;

namespace Campus.IoT.Dashboard.Live;

/// <summary>
/// The <c>dashboard</c> notification channel: a <c>notification</c> message (title, level, recipient, the alarm) to the
/// site's board group, which the guard-room page shows as "escalated to the safety officer". The alarm itself already
/// reached the board through <c>alarmChanged</c> when it was stored; this records that the board was told at each level.
/// </summary>
internal sealed class HubNotificationChannel(IHubContext<LiveHub> hub, SiteDirectory sites) : INotificationChannel
{
    public string Name => "dashboard";

    public Task SendAsync(Notification notification, string address, CancellationToken cancellationToken) =>
        hub.Clients.Groups([LiveHub.GroupOf(address), LiveHub.GroupOf(LiveHub.AllSites)]).SendAsync(
            "notification",
            new
            {
                id = notification.Id,
                title = NotificationText.Subject(notification),
                transition = notification.Transition.Kind.ToWire(),
                level = notification.Level,
                recipient = notification.Recipient,
                alarm = AlarmDto.From(notification.Alarm, sites),
            },
            cancellationToken);
}
