using System.Text;
using Campus.IoT.Ingest.Influx;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Ingest.Tests.Influx;

/// <summary>The InfluxQL text and response parsing; InfluxV1StoreTests runs the same reader against a real InfluxDB 1.6.7.</summary>
public sealed class InfluxQlReaderTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero); // 1795852800000
    private static readonly DateTimeOffset To = From.AddHours(1); // 1795856400000

    [Fact]
    public void A_stepped_query_selects_mean_min_max_count_per_epoch_aligned_bucket_in_the_half_open_range()
    {
        var q = new HistoryQuery("lab3-fridge-1", Metrics.Temperature, "school-01", From, To, TimeSpan.FromMinutes(1), 500);

        Assert.Equal(
            "SELECT mean(\"value\"), min(\"value\"), max(\"value\"), count(\"value\") FROM \"temperature\" "
            + "WHERE \"device\" = 'lab3-fridge-1' AND \"site\" = 'school-01' AND time >= 1795852800000ms AND time < 1795856400000ms "
            + "GROUP BY time(60000ms) fill(none) LIMIT 500",
            InfluxQlReader.Build(q));
    }

    [Fact]
    public void A_query_without_a_step_selects_the_raw_values_and_without_a_site_filters_on_the_device_only()
    {
        var q = new HistoryQuery("fridge-1", Metrics.Humidity, null, From, To, null, 10);

        Assert.Equal(
            "SELECT \"value\" FROM \"humidity\" WHERE \"device\" = 'fridge-1' AND time >= 1795852800000ms AND time < 1795856400000ms LIMIT 10",
            InfluxQlReader.Build(q));
    }

    [Theory]
    [InlineData("o'brien \"x\"", @"'o\'brien ""x""'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("x' OR '1'='1", @"'x\' OR \'1\'=\'1'")]
    [InlineData("x'; DROP DATABASE \"telemetry\"; SELECT '", @"'x\'; DROP DATABASE ""telemetry""; SELECT \''")]
    [InlineData("a\nb", @"'a\nb'")]
    public void String_literals_escape_backslashes_quotes_and_line_feeds(string value, string expected) =>
        Assert.Equal(expected, InfluxQlReader.QuoteString(value));

    [Theory]
    [InlineData("temperature", "\"temperature\"")]
    [InlineData("a\"b", @"""a\""b""")]
    [InlineData(@"a\b's", @"""a\\b's""")]
    public void Identifiers_are_double_quoted_with_backslashes_and_double_quotes_escaped(string name, string expected) =>
        Assert.Equal(expected, InfluxQlReader.QuoteIdentifier(name));

    [Fact]
    public void An_unknown_metric_or_a_step_under_a_millisecond_is_refused_before_any_query()
    {
        Assert.Throws<ArgumentException>(() => InfluxQlReader.Build(new HistoryQuery("d", "temperature\" ; DROP", null, From, To, null, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => InfluxQlReader.Build(new HistoryQuery("d", Metrics.Gas, null, From, To, TimeSpan.FromTicks(100), 10)));
    }

    [Fact]
    public void A_result_without_series_is_an_empty_history()
    {
        Assert.Empty(InfluxQlReader.Parse("""{"results":[{"statement_id":0}]}"""u8.ToArray()));
    }

    [Fact]
    public void Rows_are_read_by_column_name()
    {
        var json = """
            {"results":[{"statement_id":0,"series":[{"name":"temperature","columns":["time","mean","min","max","count"],
             "values":[[1795852800000,4.5,4,5,2],[1795852860000,6,6,6,1]]}]}]}
            """;

        var buckets = InfluxQlReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal([new ReadingBucket(From, 4.5, 4, 5, 2), new ReadingBucket(From.AddMinutes(1), 6, 6, 6, 1)], buckets);
    }

    [Theory]
    [InlineData("""{"results":[{"statement_id":0,"error":"database not found: telemetry"}]}""", "database not found: telemetry")]
    [InlineData("""{"error":"error parsing query: found EOF"}""", "error parsing query: found EOF")]
    public void An_error_in_the_response_throws_with_its_text(string json, string message)
    {
        var ex = Assert.Throws<InfluxException>(() => InfluxQlReader.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
