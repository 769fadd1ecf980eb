using Campus.IoT.Alerting.Notifications;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>What one run of the reminders did: each digest and what became of it on each of its recipient's routes.</summary>
internal sealed record HazardReminderRun(DateTimeOffset At, IReadOnlyList<(ReminderDigest Digest, IReadOnlyList<MessageDelivery> Deliveries)> Sent);
