using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Campus.IoT.Telemetry;

/// <summary>
/// Validates and decodes contract payloads, naming the reason for every rejection.
/// Message-level faults (not JSON, wrong shape, size, item count, message <c>ts</c>) reject the message;
/// item-level faults (identifier, metric, value, item <c>ts</c>, event type/state) reject only that item.
/// </summary>
public sealed class PayloadDecoder(TimeProvider time, PayloadLimits? limits = null)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    private static readonly (byte[] Utf8, string Name)[] MetricNames = [.. Metrics.All.Select(m => (System.Text.Encoding.UTF8.GetBytes(m), m))];

    private readonly PayloadLimits _limits = limits ?? PayloadLimits.Default;
    private readonly IdentifierPool _identifiers = new();

    public PayloadLimits Limits => _limits;

    public DecodeResult<TelemetryMessage> DecodeTelemetry(ReadOnlySequence<byte> payload)
    {
        if (!TryOpen(payload, out var document, out var failure))
        {
            return DecodeResult<TelemetryMessage>.Reject(failure.Reason, failure.Detail);
        }

        using (document)
        {
            var now = time.GetUtcNow();
            if (!TryReadEnvelope(document.RootElement, "readings", now, out var seq, out var ts, out var items, out failure))
            {
                return DecodeResult<TelemetryMessage>.Reject(failure.Reason, failure.Detail);
            }

            var readings = new List<Reading>(items.GetArrayLength());
            var rejections = new List<ItemRejection>();
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (TryReadReading(item, now, out var reading, out failure))
                {
                    readings.Add(reading);
                }
                else
                {
                    rejections.Add(new ItemRejection(index, failure.Reason, failure.Detail));
                }

                index++;
            }

            return DecodeResult<TelemetryMessage>.Accept(new TelemetryMessage(seq, ts, readings), rejections);
        }
    }

    public DecodeResult<EventMessage> DecodeEvents(ReadOnlySequence<byte> payload)
    {
        if (!TryOpen(payload, out var document, out var failure))
        {
            return DecodeResult<EventMessage>.Reject(failure.Reason, failure.Detail);
        }

        using (document)
        {
            var now = time.GetUtcNow();
            if (!TryReadEnvelope(document.RootElement, "events", now, out var seq, out var ts, out var items, out failure))
            {
                return DecodeResult<EventMessage>.Reject(failure.Reason, failure.Detail);
            }

            var events = new List<DeviceEvent>(items.GetArrayLength());
            var rejections = new List<ItemRejection>();
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (TryReadEvent(item, now, out var deviceEvent, out failure))
                {
                    events.Add(deviceEvent);
                }
                else
                {
                    rejections.Add(new ItemRejection(index, failure.Reason, failure.Detail));
                }

                index++;
            }

            return DecodeResult<EventMessage>.Accept(new EventMessage(seq, ts, events), rejections);
        }
    }

    public DecodeResult<GatewayStatus> DecodeStatus(ReadOnlySequence<byte> payload)
    {
        if (!TryOpen(payload, out var document, out var failure))
        {
            return DecodeResult<GatewayStatus>.Reject(failure.Reason, failure.Detail);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return DecodeResult<GatewayStatus>.Reject(RejectReason.WrongShape, "status payload must be a JSON object");
            }

            if (!TryReadString(root, "state", out var stateText, out failure))
            {
                return DecodeResult<GatewayStatus>.Reject(failure.Reason, failure.Detail);
            }

            GatewayState state;
            if (stateText == "online")
            {
                state = GatewayState.Online;
            }
            else if (stateText == "offline")
            {
                state = GatewayState.Offline;
            }
            else
            {
                return DecodeResult<GatewayStatus>.Reject(RejectReason.BadState, $"state '{stateText}' is not online|offline");
            }

            if (!TryReadTs(root, "status", time.GetUtcNow(), out var ts, out failure))
            {
                return DecodeResult<GatewayStatus>.Reject(failure.Reason, failure.Detail);
            }

            string? version = null;
            if (root.TryGetProperty("version", out var versionElement) && versionElement.ValueKind != JsonValueKind.Null)
            {
                if (versionElement.ValueKind != JsonValueKind.String)
                {
                    return DecodeResult<GatewayStatus>.Reject(RejectReason.WrongShape, "version must be a string");
                }

                version = versionElement.GetString();
            }

            long? spooled = null;
            if (root.TryGetProperty("spooled", out var spooledElement) && spooledElement.ValueKind != JsonValueKind.Null)
            {
                if (spooledElement.ValueKind != JsonValueKind.Number || !spooledElement.TryGetInt64(out var count) || count < 0)
                {
                    return DecodeResult<GatewayStatus>.Reject(RejectReason.WrongShape, "spooled must be a non-negative integer");
                }

                spooled = count;
            }

            return DecodeResult<GatewayStatus>.Accept(new GatewayStatus(state, ts) { Version = version, Spooled = spooled }, []);
        }
    }

    private bool TryOpen(ReadOnlySequence<byte> payload, out JsonDocument document, out Failure failure)
    {
        document = null!;
        if (payload.Length > _limits.MaxPayloadBytes)
        {
            failure = new(RejectReason.TooLarge, $"payload is {payload.Length} bytes, limit {_limits.MaxPayloadBytes}");
            return false;
        }

        if (!IsValidUtf8(payload))
        {
            failure = new(RejectReason.NotJson, "payload is not valid UTF-8");
            return false;
        }

        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException ex)
        {
            failure = new(RejectReason.NotJson, ex.Message);
            return false;
        }
        catch (ArgumentException ex)
        {
            // Invalid UTF-8 surfaces as ArgumentException from the transcoder.
            failure = new(RejectReason.NotJson, ex.Message);
            return false;
        }

        failure = default;
        return true;
    }

    private bool TryReadEnvelope(JsonElement root, string itemsName, DateTimeOffset now, out long seq, out DateTimeOffset ts, out JsonElement items, out Failure failure)
    {
        seq = 0;
        ts = default;
        items = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            failure = new(RejectReason.WrongShape, $"payload must be a JSON object, not {root.ValueKind}");
            return false;
        }

        if (!root.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out seq) || seq < 0)
        {
            failure = new(RejectReason.WrongShape, "seq must be a non-negative integer");
            return false;
        }

        if (!TryReadTs(root, "message", now, out ts, out failure))
        {
            return false;
        }

        if (!root.TryGetProperty(itemsName, out items) || items.ValueKind != JsonValueKind.Array)
        {
            failure = new(RejectReason.WrongShape, $"{itemsName} must be an array");
            return false;
        }

        var count = items.GetArrayLength();
        if (count > _limits.MaxItems)
        {
            failure = new(RejectReason.TooManyItems, $"{count} {itemsName}, limit {_limits.MaxItems}");
            return false;
        }

        return true;
    }

    private bool TryReadReading(JsonElement item, DateTimeOffset now, out Reading reading, out Failure failure)
    {
        reading = null!;
        if (item.ValueKind != JsonValueKind.Object)
        {
            failure = new(RejectReason.WrongShape, "reading must be an object");
            return false;
        }

        if (!TryReadDevice(item, out var device, out failure))
        {
            return false;
        }

        if (!TryReadKnownMetric(item, out var metric))
        {
            if (!TryReadString(item, "metric", out var metricText, out failure))
            {
                return false;
            }

            if (!Metrics.TryNormalize(metricText, out metric))
            {
                failure = new(RejectReason.UnknownMetric, $"metric '{Truncate(metricText)}' is not one of {string.Join(", ", Metrics.All)}");
                return false;
            }
        }

        if (!TryReadValue(item, out var value, out failure) || !TryReadTs(item, "reading", now, out var ts, out failure))
        {
            return false;
        }

        reading = new Reading(device, metric, value, ts);
        return true;
    }

    private bool TryReadEvent(JsonElement item, DateTimeOffset now, out DeviceEvent deviceEvent, out Failure failure)
    {
        deviceEvent = null!;
        if (item.ValueKind != JsonValueKind.Object)
        {
            failure = new(RejectReason.WrongShape, "event must be an object");
            return false;
        }

        if (!TryReadDevice(item, out var device, out failure) || !TryReadString(item, "type", out var typeText, out failure))
        {
            return false;
        }

        if (!WireNames.TryParseEventType(typeText, out var type))
        {
            failure = new(RejectReason.UnknownEventType, $"event type '{Truncate(typeText)}' is unknown");
            return false;
        }

        if (!TryReadString(item, "state", out var stateText, out failure))
        {
            return false;
        }

        EventState state;
        if (stateText == "active")
        {
            state = EventState.Active;
        }
        else if (stateText == "cleared")
        {
            state = EventState.Cleared;
        }
        else
        {
            failure = new(RejectReason.BadState, $"event state '{Truncate(stateText)}' is not active|cleared");
            return false;
        }

        if (!TryReadTs(item, "event", now, out var ts, out failure)
            || !TryReadOptionalString(item, "point", out var point, out failure)
            || !TryReadOptionalString(item, "zone", out var zone, out failure)
            || !TryReadOptionalString(item, "label", out var label, out failure)
            || !TryReadOptionalString(item, "raw", out var raw, out failure))
        {
            return false;
        }

        deviceEvent = new DeviceEvent(device, type, state, ts) { Point = point, Zone = zone, Label = label, Raw = raw };
        return true;
    }

    private bool TryReadDevice(JsonElement item, out string device, out Failure failure)
    {
        // The common case, a valid identifier seen before: the pooled string, nothing allocated.
        if (item.TryGetProperty("device", out var element) && element.ValueKind == JsonValueKind.String && _identifiers.TryGet(Unescaped(element), out device))
        {
            failure = default;
            return true;
        }

        if (!TryReadString(item, "device", out device, out failure))
        {
            return false;
        }

        if (!Identifier.IsValid(device))
        {
            failure = new(RejectReason.BadIdentifier, $"device '{Truncate(device)}' is not [a-z0-9][a-z0-9-]{{0,62}}");
            return false;
        }

        return true;
    }

    /// <summary>A known metric's constant, compared on the UTF-8 bytes (no string allocated); null otherwise.</summary>
    private static bool TryReadKnownMetric(JsonElement item, [NotNullWhen(true)] out string? metric)
    {
        metric = null;
        if (item.TryGetProperty("metric", out var element) && element.ValueKind == JsonValueKind.String)
        {
            foreach (var (utf8, name) in MetricNames)
            {
                if (element.ValueEquals(utf8))
                {
                    metric = name;
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryReadValue(JsonElement item, out double value, out Failure failure)
    {
        value = 0;
        if (!item.TryGetProperty("value", out var element))
        {
            failure = new(RejectReason.WrongShape, "reading has no value");
            return false;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                // TryGetDouble refuses numbers that overflow to infinity (e.g. 1e999).
                if (element.TryGetDouble(out value) && double.IsFinite(value))
                {
                    failure = default;
                    return true;
                }

                failure = new(RejectReason.NonFiniteValue, $"value {Truncate(element.GetRawText())} is not a finite number");
                return false;
            case JsonValueKind.String:
                var text = element.GetString() ?? string.Empty;
                failure = text.Trim().ToUpperInvariant() is "NAN" or "INFINITY" or "-INFINITY" or "+INFINITY" or "INF" or "-INF"
                    ? new(RejectReason.NonFiniteValue, $"value '{Truncate(text)}' is not finite")
                    : new(RejectReason.NonNumericValue, $"value '{Truncate(text)}' is a string, not a number");
                return false;
            default:
                failure = new(RejectReason.NonNumericValue, $"value is {element.ValueKind}, not a number");
                return false;
        }
    }

    private bool TryReadTs(JsonElement item, string what, DateTimeOffset now, out DateTimeOffset ts, out Failure failure)
    {
        ts = default;
        if (!item.TryGetProperty("ts", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            failure = new(RejectReason.MissingTs, $"{what} has no ts");
            return false;
        }

        if (element.ValueKind != JsonValueKind.String || !TryParseTs(element, out ts))
        {
            failure = new(RejectReason.BadTs, $"{what} ts {Truncate(element.GetRawText())} is not an RFC 3339 timestamp with offset");
            return false;
        }

        if (ts - now > _limits.MaxFutureSkew)
        {
            failure = new(RejectReason.TsInFuture, $"{what} ts {Timestamps.Format(ts)} is more than {_limits.MaxFutureSkew.TotalMinutes:0} min ahead of {Timestamps.Format(now)}");
            return false;
        }

        failure = default;
        return true;
    }

    /// <summary>A string element's timestamp, read from its UTF-8 bytes when it has no escapes (no string allocated).</summary>
    private static bool TryParseTs(JsonElement element, out DateTimeOffset ts) =>
        Unescaped(element) is { IsEmpty: false } utf8 ? Timestamps.TryParse(utf8, out ts) : Timestamps.TryParse(element.GetString(), out ts);

    /// <summary>The UTF-8 bytes of a string element without its quotes, or empty when it holds an escape (or is empty).</summary>
    private static ReadOnlySpan<byte> Unescaped(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            raw = raw[1..^1];
        }

        return raw.Contains((byte)'\\') ? default : raw;
    }

    private static bool TryReadString(JsonElement item, string name, out string value, out Failure failure)
    {
        if (item.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String)
        {
            value = element.GetString()!;
            failure = default;
            return true;
        }

        value = string.Empty;
        failure = new(RejectReason.WrongShape, $"{name} must be a string");
        return false;
    }

    private static bool TryReadOptionalString(JsonElement item, string name, out string? value, out Failure failure)
    {
        value = null;
        failure = default;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            failure = new(RejectReason.WrongShape, $"{name} must be a string");
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static bool IsValidUtf8(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return Utf8.IsValid(payload.FirstSpan);
        }

        // Rare (large payloads split by the transport): validate a contiguous copy so a code point across segments is judged whole.
        return Utf8.IsValid(payload.ToArray());
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    private readonly record struct Failure(RejectReason Reason, string Detail);
}
