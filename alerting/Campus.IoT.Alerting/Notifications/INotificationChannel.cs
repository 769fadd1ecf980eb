namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// One way of telling people about an alarm: the guard-room board (SignalR), a webhook, email. The dispatcher calls
/// <see cref="SendAsync"/> once per attempt and records every attempt on the alarm; a channel throws to report a failure
/// (<see cref="PermanentDeliveryException"/> when retrying cannot help).
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel's name in configuration and delivery records: <c>dashboard</c>, <c>webhook</c>, <c>email</c>.</summary>
    string Name { get; }

    /// <param name="address">Channel-specific: the site for the dashboard, a configured webhook's name, an email address.</param>
    Task SendAsync(Notification notification, string address, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a message that is not about an alarm (<see cref="NotificationMessage"/>). A channel that cannot carry one (the
    /// guard-room board shows alarms only) refuses it as a permanent failure, which is the default.
    /// </summary>
    Task SendMessageAsync(NotificationMessage message, string address, CancellationToken cancellationToken) =>
        Task.FromException(new PermanentDeliveryException($"the {Name} channel does not carry messages other than alarms"));
}

/// <summary>A failure that another attempt will not mend (a 4xx answer, an unknown webhook, an address the server refuses).</summary>
public sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One thing to tell one recipient: an alarm transition (raised, escalated to <see cref="Level"/>, resumed) for the
/// recipient a policy names at that level. <see cref="Id"/> is stable across retries (a receiver's idempotency key).
/// </summary>
public sealed record Notification(string Id, AlarmTransition Transition, int Level, string Recipient)
{
    public Alarm Alarm => Transition.Alarm;
}
