using System.Globalization;
using System.Security.Claims;
using System.Text;
using Campus.IoT.Ingest;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// <c>GET /api/readings/export.csv</c>: the history of one device's metric as a CSV file for food-safety and lab inspections.
/// The same parameters, checks and access rules as <c>GET /api/readings</c>; UTF-8 with a byte-order mark (so Excel reads
/// the Chinese headers), headers in Chinese and English, the school's local time and UTC on every row.
/// </summary>
internal static class ReadingExportEndpoints
{
    /// <summary>The most rows one export holds (a month of one reading a minute fits; a year of raw readings does not).</summary>
    public const int MaxRows = 50_000;

    public static void MapReadingExport(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/readings/export.csv", async (ClaimsPrincipal user, ITimeSeriesStore store, TimeProvider time, SchoolTimeZone zone, CancellationToken cancellationToken, string? device, string? metric, string? from, string? to, string? step, string? site) =>
        {
            if (!HistoryRequest.TryParse(user, time.GetUtcNow(), MaxRows, device, metric, from, to, step, site, out var query, out var problem))
            {
                return problem;
            }

            // One more than allowed: a period with too many rows is refused rather than cut short without notice.
            var rows = await store.QueryAsync(query with { Limit = MaxRows + 1 }, cancellationToken);
            if (rows.Count > MaxRows)
            {
                return Problems.BadRequest(query.Step is null ? "from" : "step", $"the export would have more than {MaxRows} rows: choose a step (e.g. 5m or 1h) or a shorter period");
            }

            return Results.File(Write(query, rows, zone), "text/csv; charset=utf-8", FileName(query, zone));
        });

    /// <summary>The CSV bytes: BOM, one header row, one row per reading (no step) or per step.</summary>
    internal static byte[] Write(HistoryQuery query, IReadOnlyList<ReadingBucket> rows, SchoolTimeZone zone)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)) { NewLine = "\r\n" })
        {
            writer.WriteLine(string.Join(',', Escape($"时间 Time ({zone.Id})"), "UTC 时间 Time (UTC)", "学校 Site", "设备 Device", "指标 Metric", "单位 Unit", "平均 Mean", "最低 Min", "最高 Max", "样本数 Count"));
            var unit = Metrics.UnitOf(query.Metric);
            foreach (var row in rows)
            {
                writer.WriteLine(string.Join(
                    ',',
                    zone.ToLocal(row.Ts).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Timestamps.Format(row.Ts),
                    Escape(query.Site ?? string.Empty),
                    Escape(query.Device),
                    Escape(query.Metric),
                    Escape(unit),
                    Number(Math.Round(row.Mean, 3)),
                    Number(row.Min),
                    Number(row.Max),
                    row.Count.ToString(CultureInfo.InvariantCulture)));
            }
        }

        return buffer.ToArray();
    }

    /// <summary><c>{site}_{device}_{metric}_{from}_{to}.csv</c>, from and to in the school's local time.</summary>
    internal static string FileName(HistoryQuery query, SchoolTimeZone zone) =>
        string.Create(CultureInfo.InvariantCulture, $"{query.Site ?? "all-sites"}_{query.Device}_{query.Metric}_{zone.ToLocal(query.From):yyyyMMdd-HHmm}_{zone.ToLocal(query.To):yyyyMMdd-HHmm}.csv");

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting where needed; a cell a spreadsheet would run as a formula is prefixed with a quote mark.</summary>
    private static string Escape(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
