namespace Campus.IoT.Alerting.Notifications;

/// <summary>Every delivery attempt of a notification, recorded on its alarm. Thread-safe.</summary>
internal interface IDeliveryStore : IDisposable
{
    void Add(DeliveryRecord record);

    /// <summary>The attempts recorded on <paramref name="alarmId"/>, in the order they were made.</summary>
    IReadOnlyList<DeliveryRecord> ForAlarm(string alarmId);
}
