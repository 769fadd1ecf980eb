namespace Campus.IoT.Alerting.Notifications;

/// <summary>What became of a <see cref="NotificationMessage"/> on one route (channel and address): the last attempt's outcome.</summary>
public sealed record MessageDelivery(string Channel, string Address, int Attempts, DeliveryOutcome Outcome, string? Error);
