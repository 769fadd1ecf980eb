using System.Globalization;
using System.Text;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// Formats ingest batches as InfluxDB line protocol with millisecond timestamps (write with <c>precision=ms</c>).
/// <para>Schema (docs/storage.md):</para>
/// <list type="bullet">
/// <item>A reading is one point in the measurement named after its metric (<c>temperature</c>, <c>humidity</c>, …), tags
/// <c>device</c>, <c>gateway</c>, <c>site</c>, one float field <c>value</c> in the metric's fixed unit:
/// <c>temperature,device=lab3-fridge-1,gateway=gw-1,site=school-01 value=4.25 1795917357147</c>.</item>
/// <item>A device event is one point in <c>device_event</c>, tags <c>device</c>, <c>gateway</c>, <c>site</c>, <c>state</c>,
/// <c>type</c>; string fields <c>label</c>, <c>point</c>, <c>raw</c>, <c>zone</c> (each omitted when null) and the integer
/// field <c>seq</c> (the gateway message's sequence number).</item>
/// </list>
/// Tag keys are written sorted (what the server would otherwise sort on every write). A device's alarm <c>profile</c> becomes
/// a tag once the device registry knows it: readings do not carry it today.
/// <para>Escaping: measurement names escape commas and spaces; tag keys, tag values and field keys escape commas, equals
/// signs and spaces; string field values escape double quotes and backslashes. Line protocol ends a point at a newline, so
/// a carriage return or line feed inside any text is written as the two characters <c>\r</c> / <c>\n</c>
/// (InfluxDB 1.x would keep a raw newline inside a quoted field; VictoriaMetrics drops such a point).</para>
/// </summary>
internal static class LineProtocol
{
    public const string EventMeasurement = "device_event";
    public const string ValueField = "value";

    /// <summary>One line per reading and event, in batch order.</summary>
    public static List<string> Lines(IReadOnlyList<IngestBatch> batches)
    {
        var lines = new List<string>(batches.Sum(b => b.Readings.Count + b.Events.Count));
        var builder = new StringBuilder(256);
        foreach (var batch in batches)
        {
            foreach (var reading in batch.Readings)
            {
                builder.Clear();
                AppendReading(builder, batch.Site, batch.Gateway, reading);
                lines.Add(builder.ToString());
            }

            foreach (var deviceEvent in batch.Events)
            {
                builder.Clear();
                AppendEvent(builder, batch.Site, batch.Gateway, batch.Seq, deviceEvent);
                lines.Add(builder.ToString());
            }
        }

        return lines;
    }

    public static string Reading(string site, string gateway, Reading reading) =>
        AppendReading(new StringBuilder(128), site, gateway, reading).ToString();

    public static string Event(string site, string gateway, long seq, DeviceEvent deviceEvent) =>
        AppendEvent(new StringBuilder(256), site, gateway, seq, deviceEvent).ToString();

    public static StringBuilder AppendReading(StringBuilder builder, string site, string gateway, Reading reading)
    {
        if (!double.IsFinite(reading.Value))
        {
            throw new ArgumentException($"reading of {reading.Device} {reading.Metric} is not a finite number: line protocol cannot carry it", nameof(reading));
        }

        AppendMeasurement(builder, reading.Metric);
        AppendTag(builder, "device", reading.Device);
        AppendTag(builder, "gateway", gateway);
        AppendTag(builder, "site", site);
        builder.Append(' ');
        AppendKey(builder, ValueField);
        builder.Append('=').Append(reading.Value.ToString("R", CultureInfo.InvariantCulture));
        return AppendTimestamp(builder, reading.Ts);
    }

    public static StringBuilder AppendEvent(StringBuilder builder, string site, string gateway, long seq, DeviceEvent deviceEvent)
    {
        AppendMeasurement(builder, EventMeasurement);
        AppendTag(builder, "device", deviceEvent.Device);
        AppendTag(builder, "gateway", gateway);
        AppendTag(builder, "site", site);
        AppendTag(builder, "state", deviceEvent.State.ToWire());
        AppendTag(builder, "type", deviceEvent.Type.ToWire());
        builder.Append(' ');
        var first = true;
        AppendStringField(builder, ref first, "label", deviceEvent.Label);
        AppendStringField(builder, ref first, "point", deviceEvent.Point);
        AppendStringField(builder, ref first, "raw", deviceEvent.Raw);
        if (!first)
        {
            builder.Append(',');
        }

        AppendKey(builder, "seq");
        builder.Append('=').Append(seq.ToString(CultureInfo.InvariantCulture)).Append('i');
        first = false;
        AppendStringField(builder, ref first, "zone", deviceEvent.Zone);
        return AppendTimestamp(builder, deviceEvent.Ts);
    }

    /// <summary>Measurement names escape commas and spaces.</summary>
    public static StringBuilder AppendMeasurement(StringBuilder builder, string name)
    {
        return AppendEscaped(builder, name, "measurement", escapeEquals: false);
    }

    /// <summary>Appends <c>,key=value</c>; an empty value is omitted (line protocol has no empty tag values).</summary>
    public static StringBuilder AppendTag(StringBuilder builder, string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return builder;
        }

        builder.Append(',');
        AppendKey(builder, key);
        builder.Append('=');
        return AppendKey(builder, value);
    }

    /// <summary>Tag keys, tag values and field keys escape commas, equals signs and spaces.</summary>
    public static StringBuilder AppendKey(StringBuilder builder, string text)
    {
        return AppendEscaped(builder, text, "tag or field key", escapeEquals: true);
    }

    /// <summary>Commas and spaces (and equals signs where asked) escaped with a backslash; line breaks made safe.</summary>
    private static StringBuilder AppendEscaped(StringBuilder builder, string text, string what, bool escapeEquals)
    {
        RequireText(text, what);
        foreach (var c in text)
        {
            if (c is ',' or ' ' || (escapeEquals && c == '='))
            {
                builder.Append('\\').Append(c);
            }
            else
            {
                AppendNewlineSafe(builder, c);
            }
        }

        return builder;
    }

    /// <summary>String field values are double-quoted and escape double quotes and backslashes.</summary>
    public static StringBuilder AppendStringValue(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"' or '\\':
                    builder.Append('\\').Append(c);
                    break;
                case '\n':
                    builder.Append(@"\\n");
                    break;
                case '\r':
                    builder.Append(@"\\r");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"');
    }

    private static void AppendStringField(StringBuilder builder, ref bool first, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (!first)
        {
            builder.Append(',');
        }

        first = false;
        AppendKey(builder, key);
        builder.Append('=');
        AppendStringValue(builder, value);
    }

    private static StringBuilder AppendTimestamp(StringBuilder builder, DateTimeOffset ts) =>
        builder.Append(' ').Append(ts.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    private static void AppendNewlineSafe(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\n':
                builder.Append(@"\n");
                break;
            case '\r':
                builder.Append(@"\r");
                break;
            default:
                builder.Append(c);
                break;
        }
    }

    private static void RequireText(string text, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ArgumentException($"an empty {what} cannot be written in line protocol", nameof(text));
        }
    }
}
