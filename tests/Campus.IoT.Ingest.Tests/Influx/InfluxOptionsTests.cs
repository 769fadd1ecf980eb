using Campus.IoT.Ingest.Influx;

namespace Campus.IoT.Ingest.Tests.Influx;

public sealed class InfluxOptionsTests
{
    [Fact]
    public void The_embedded_default_needs_no_InfluxDB_settings()
    {
        Assert.Empty(new InfluxOptions().Validate());
    }

    [Fact]
    public void An_influxdb2_store_lists_every_missing_setting_at_once()
    {
        var errors = new InfluxOptions { Kind = "influxdb2" }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Token", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Org", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Bucket", StringComparison.Ordinal));
    }

    [Fact]
    public void An_influxdb1_store_reports_a_bad_url_a_missing_database_a_user_without_password_and_a_zero_timeout()
    {
        var errors = new InfluxOptions { Kind = "InfluxDB1", Url = "ftp://influx:8086", Username = "campus", Timeout = TimeSpan.Zero }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("'ftp://influx:8086'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Database", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Password", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Campus:Storage:Timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void A_complete_configuration_is_valid_and_an_unknown_kind_is_not()
    {
        Assert.Empty(new InfluxOptions { Kind = "influxdb2", Url = "https://influx.district.example/", Token = "t", Org = "campus", Bucket = "telemetry" }.Validate());
        Assert.Empty(new InfluxOptions { Kind = "influxdb1", Url = "http://127.0.0.1:8086", Database = "telemetry" }.Validate());
        Assert.Single(new InfluxOptions { Kind = "influxdb" }.Validate());
    }

    [Fact]
    public void A_store_built_from_invalid_options_says_what_is_wrong()
    {
        var ex = Assert.Throws<ArgumentException>(() => InfluxStores.Create(new InfluxOptions { Kind = "influxdb1" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

        Assert.Contains("Campus:Storage:Url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Campus:Storage:Database", ex.Message, StringComparison.Ordinal);
    }
}
