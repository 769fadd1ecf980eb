namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// A message that is not an alarm transition — a daily digest of hazards due, a report — for one recipient at one site,
/// sent through the same channels and resolved through the same recipients configuration as alarms
/// (<see cref="NotificationDispatcher.SendAsync(NotificationMessage, CancellationToken)"/>). <see cref="Id"/> is stable across
/// retries (the receiver's idempotency key; ASCII, as it travels in a header); <see cref="Kind"/> names what it is
/// (<c>hazard_reminder</c>); subject and body are Chinese first, English second.
/// </summary>
public sealed record NotificationMessage(string Id, string Kind, string Site, string Recipient, DateTimeOffset At, string Subject, string Body);
