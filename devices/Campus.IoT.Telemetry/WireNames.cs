using System.Collections.Frozen;

namespace Campus.IoT.Telemetry;

/// <summary>The wire spelling of the contract's enumerations, both ways, without reflection.</summary>
public static class WireNames
{
    private static readonly FrozenDictionary<string, EventType> EventTypes = new Dictionary<string, EventType>(StringComparer.Ordinal)
    {
        ["fire_alarm"] = EventType.FireAlarm,
        ["smoke"] = EventType.Smoke,
        ["heat"] = EventType.Heat,
        ["manual_call_point"] = EventType.ManualCallPoint,
        ["waterflow"] = EventType.Waterflow,
        ["supervisory"] = EventType.Supervisory,
        ["trouble"] = EventType.Trouble,
        ["disabled"] = EventType.Disabled,
        ["power_fault"] = EventType.PowerFault,
        ["silence"] = EventType.Silence,
        ["reset"] = EventType.Reset,
        ["acknowledge"] = EventType.Acknowledge,
        ["test"] = EventType.Test,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<EventType, string> EventTypeNames = EventTypes.ToFrozenDictionary(p => p.Value, p => p.Key);

    public static bool TryParseEventType(string text, out EventType type) => EventTypes.TryGetValue(text, out type);

    public static string ToWire(this EventType type) => EventTypeNames[type];

    public static string ToWire(this EventState state) => state == EventState.Active ? "active" : "cleared";

    public static string ToWire(this GatewayState state) => state == GatewayState.Online ? "online" : "offline";

    public static string ToWire(this RejectReason reason) => reason switch
    {
        RejectReason.NotJson => "not_json",
        RejectReason.WrongShape => "wrong_shape",
        RejectReason.BadIdentifier => "bad_identifier",
        RejectReason.UnknownMetric => "unknown_metric",
        RejectReason.NonFiniteValue => "non_finite_value",
        RejectReason.NonNumericValue => "non_numeric_value",
        RejectReason.MissingTs => "missing_ts",
        RejectReason.BadTs => "bad_ts",
        RejectReason.TsInFuture => "ts_in_future",
        RejectReason.TooLarge => "too_large",
        RejectReason.TooManyItems => "too_many_items",
        RejectReason.UnknownEventType => "unknown_event_type",
        RejectReason.BadState => "bad_state",
        RejectReason.BadTopic => "bad_topic",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
