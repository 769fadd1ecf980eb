namespace Campus.IoT.Alerting.Notifications;

/// <summary>What became of one delivery attempt.</summary>
public enum DeliveryOutcome
{
    /// <summary>The channel accepted it (HTTP 2xx, SMTP 250, pushed to the hub).</summary>
    Sent,

    /// <summary>This attempt failed; another follows.</summary>
    Failed,

    /// <summary>The last attempt failed, or a permanent failure: no more attempts.</summary>
    GaveUp,

    /// <summary>Nobody to send it to: the recipient has no address configured for any channel.</summary>
    Unrouted,
}

/// <summary>One delivery attempt of a notification, as recorded on the alarm (<c>GET /api/alarms/{id}/deliveries</c>).</summary>
public sealed record DeliveryRecord(
    string AlarmId,
    string NotificationId,
    DateTimeOffset At,
    string Transition,
    int Level,
    string Recipient,
    string Channel,
    string Address,
    int Attempt,
    DeliveryOutcome Outcome,
    string? Error);
