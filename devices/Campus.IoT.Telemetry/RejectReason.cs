namespace Campus.IoT.Telemetry;

/// <summary>Why a message, or one reading or event inside it, was rejected. Wire names via <see cref="WireNames.ToWire(RejectReason)"/>.</summary>
public enum RejectReason
{
    /// <summary>The payload is not UTF-8 JSON.</summary>
    NotJson,
    /// <summary>JSON, but not the object the topic calls for (missing or mistyped member).</summary>
    WrongShape,
    /// <summary>A site, gateway or device identifier outside <c>[a-z0-9][a-z0-9-]{0,62}</c>.</summary>
    BadIdentifier,
    UnknownMetric,
    /// <summary>A number that does not fit a finite double (e.g. 1e999), or the strings NaN / Infinity.</summary>
    NonFiniteValue,
    /// <summary>A value that is a string, boolean, null, object or array.</summary>
    NonNumericValue,
    MissingTs,
    /// <summary>A <c>ts</c> that is not an RFC 3339 timestamp with an offset.</summary>
    BadTs,
    /// <summary>A <c>ts</c> more than the allowed skew (5 minutes) ahead of the receiver's clock.</summary>
    TsInFuture,
    /// <summary>The payload is larger than the limit (256 KiB).</summary>
    TooLarge,
    /// <summary>More readings or events in one message than the limit (1000).</summary>
    TooManyItems,
    UnknownEventType,
    /// <summary>An event state other than active/cleared, or a gateway state other than online/offline.</summary>
    BadState,
    /// <summary>The topic is not a contract topic.</summary>
    BadTopic,
}
