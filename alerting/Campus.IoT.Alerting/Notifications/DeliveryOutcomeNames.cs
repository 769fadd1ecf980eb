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

    /// <summary>Every row of a select of <c>alarm_id, notification, at, transition, level, recipient, channel, address, attempt, outcome, error</c>.</summary>
    public static List<DeliveryRecord> ReadAll(System.Data.Common.DbDataReader reader)
    {
        var records = new List<DeliveryRecord>();
        while (reader.Read())
        {
            records.Add(new DeliveryRecord(
                reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3),
                reader.GetInt32(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetInt32(8),
                FromWire(reader.GetString(9)), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return records;
    }
}
