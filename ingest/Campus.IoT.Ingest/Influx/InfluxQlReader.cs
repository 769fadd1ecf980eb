using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// History reads in InfluxQL over <c>/query</c>, which InfluxDB 1.x, 2.x (through the bucket's DBRP mapping) and 3.x all
/// serve. Same semantics as the SQLite store: [From, To), buckets aligned to multiples of the step since the Unix epoch
/// (InfluxQL's <c>GROUP BY time()</c> boundaries), empty buckets left out, ordered by time, at most Limit rows; without a
/// step the raw readings, each as a bucket of one.
/// </summary>
internal sealed class InfluxQlReader
{
    private readonly HttpClient _http;
    private readonly string _database;
    private readonly string? _retentionPolicy;
    private readonly ILogger? _logger;
    private readonly string _kind;

    /// <param name="http">A client whose base address is the server and which carries the authorization header.</param>
    /// <param name="database">The 1.x database, or the 2.x bucket (its DBRP mapping) / 3.x database.</param>
    /// <param name="retentionPolicy">The retention policy, or null for the database's default.</param>
    /// <param name="logger">Where each query, its time and its statement are logged at Debug level.</param>
    /// <param name="kind">The store's kind, for that log.</param>
    public InfluxQlReader(HttpClient http, string database, string? retentionPolicy, ILogger? logger = null, string kind = "influxdb")
    {
        _http = http;
        _logger = logger;
        _kind = kind;
        _database = database;
        _retentionPolicy = string.IsNullOrWhiteSpace(retentionPolicy) ? null : retentionPolicy;
    }

    public async Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit <= 0 || query.To <= query.From)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        var influxQl = Build(query);
        var uri = new StringBuilder("query?db=").Append(Uri.EscapeDataString(_database));
        if (_retentionPolicy is not null)
        {
            uri.Append("&rp=").Append(Uri.EscapeDataString(_retentionPolicy));
        }

        uri.Append("&epoch=ms&q=").Append(Uri.EscapeDataString(influxQl));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri.ToString(), UriKind.Relative));
        const string What = "history query";
        using var response = await InfluxHttp.SendAsync(_http, request, What, cancellationToken);
        await InfluxHttp.ThrowIfRefusedAsync(response, What, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var buckets = Parse(body);
        if (_logger?.IsEnabled(LogLevel.Debug) == true)
        {
            _logger.Queried(_kind, buckets.Count, Stopwatch.GetElapsedTime(started), influxQl);
        }

        return buckets;
    }

    /// <summary>The InfluxQL statement for a history query, every identifier and literal quoted.</summary>
    public static string Build(HistoryQuery query)
    {
        if (!Metrics.IsKnown(query.Metric))
        {
            throw new ArgumentException($"unknown metric '{query.Metric}'", nameof(query));
        }

        var value = QuoteIdentifier(LineProtocol.ValueField);
        var sql = new StringBuilder(256);
        sql.Append(query.Step is null
            ? $"SELECT {value}"
            : $"SELECT mean({value}), min({value}), max({value}), count({value})");
        sql.Append(" FROM ").Append(QuoteIdentifier(query.Metric));
        sql.Append(" WHERE ").Append(QuoteIdentifier("device")).Append(" = ").Append(QuoteString(query.Device));
        if (query.Site is not null)
        {
            sql.Append(" AND ").Append(QuoteIdentifier("site")).Append(" = ").Append(QuoteString(query.Site));
        }

        sql.Append(CultureInfo.InvariantCulture, $" AND time >= {query.From.ToUnixTimeMilliseconds()}ms AND time < {query.To.ToUnixTimeMilliseconds()}ms");
        if (query.Step is { } step)
        {
            var stepMs = (long)step.TotalMilliseconds;
            if (stepMs <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(query), step, "the step must be at least one millisecond");
            }

            sql.Append(CultureInfo.InvariantCulture, $" GROUP BY time({stepMs}ms) fill(none)");
        }

        sql.Append(CultureInfo.InvariantCulture, $" LIMIT {query.Limit}");
        return sql.ToString();
    }

    /// <summary>A double-quoted InfluxQL identifier: backslashes and double quotes escaped, line breaks as <c>\n</c>.</summary>
    public static string QuoteIdentifier(string name) => Quote(name, '"');

    /// <summary>A single-quoted InfluxQL string literal: backslashes and single quotes escaped, line breaks as <c>\n</c>.</summary>
    public static string QuoteString(string value) => Quote(value, '\'');

    /// <summary>
    /// Reads an InfluxQL JSON response (<c>epoch=ms</c>): <c>results[0].series[*].values</c> with columns <c>time, mean, min,
    /// max, count</c> or <c>time, value</c>. No series is an empty history; an <c>error</c> member throws with its text.
    /// </summary>
    public static IReadOnlyList<ReadingBucket> Parse(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        ThrowIfError(root);
        if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new InfluxException("InfluxQL response has no results array");
        }

        var buckets = new List<ReadingBucket>();
        foreach (var result in results.EnumerateArray())
        {
            ThrowIfError(result);
            if (!result.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var serie in series.EnumerateArray())
            {
                ReadSeries(serie, buckets);
            }
        }

        return buckets;
    }

    private static void ReadSeries(JsonElement serie, List<ReadingBucket> buckets)
    {
        var columns = serie.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
        var time = columns.IndexOf("time");
        var raw = columns.IndexOf(LineProtocol.ValueField);
        int mean = columns.IndexOf("mean"), min = columns.IndexOf("min"), max = columns.IndexOf("max"), count = columns.IndexOf("count");
        if (time < 0 || (raw < 0 && (mean < 0 || min < 0 || max < 0 || count < 0)))
        {
            throw new InfluxException($"unexpected InfluxQL columns: {string.Join(", ", columns)}");
        }

        if (!serie.TryGetProperty("values", out var values))
        {
            return;
        }

        foreach (var row in values.EnumerateArray())
        {
            var ts = Timestamps.FromUnixMilliseconds(row[time].GetInt64());
            if (raw >= 0)
            {
                if (row[raw].ValueKind == JsonValueKind.Number)
                {
                    var v = row[raw].GetDouble();
                    buckets.Add(new ReadingBucket(ts, v, v, v, 1));
                }
            }
            else if (row[count].ValueKind == JsonValueKind.Number && row[count].GetInt64() > 0)
            {
                buckets.Add(new ReadingBucket(ts, row[mean].GetDouble(), row[min].GetDouble(), row[max].GetDouble(), row[count].GetInt64()));
            }
        }
    }

    private static void ThrowIfError(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("error", out var error))
        {
            throw new InfluxException($"history query: InfluxDB answered with an error: {error.GetString()}", (HttpStatusCode?)null);
        }
    }

    private static string Quote(string text, char quote)
    {
        var builder = new StringBuilder(text.Length + 2).Append(quote);
        foreach (var c in text)
        {
            if (c == '\\' || c == quote)
            {
                builder.Append('\\').Append(c);
            }
            else if (c == '\n')
            {
                // InfluxQL ends a quoted string at a raw line feed; \n is its escape for one.
                builder.Append(@"\n");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append(quote).ToString();
    }
}
