namespace Campus.IoT.Alerting.Notifications;

/// <summary>The wire and database names of <see cref="DeliveryOutcome"/>.</summary>
internal static class DeliveryOutcomeNames
{
    public static string ToWire(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Sent => "sent",
        DeliveryOutcome.Failed => "failed",
        DeliveryOutcome.GaveUp => "gave_up",
        _ => "unrouted",
    };

    public static DeliveryOutcome FromWire(string text) => text switch
    {
        "sent" => DeliveryOutcome.Sent,
        "failed" => DeliveryOutcome.Failed,
        "gave_up" => DeliveryOutcome.GaveUp,
        _ => DeliveryOutcome.Unrouted,
    };
}
