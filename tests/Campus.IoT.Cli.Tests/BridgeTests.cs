using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Campus.IoT.Telemetry.Mqtt;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Cli.Tests;

/// <summary>
/// The bridge <c>campus bridge config</c> generates, run by real Mosquitto processes: a school broker with the generated
/// configuration forwards to a district broker that requires a password; a persistent QoS 1 subscriber at the district
/// (standing in for district ingest) is the witness.
/// </summary>
public sealed class BridgeTests : IAsyncLifetime
{
    private const string Site = "school-a";
    private const string OtherSite = "school-b";
    private readonly int _districtBridgePort = FreePort.Next();
    private readonly CapturedLogs _logs = new();
    private readonly ConcurrentQueue<(string Topic, long Seq)> _received = new();
    private MosquittoBroker _district = null!;
    private MosquittoBroker _school = null!;
    private ResilientMqttClient? _witness;
    private string _directory = string.Empty;

    public async Task InitializeAsync()
    {
        // The district: anonymous on its test port (the witness), user + password only on the port schools bridge to.
        var directory = _directory = Directory.CreateTempSubdirectory("campus-district-").FullName;
        var passwd = Path.Combine(directory, "passwd");
        await RunAsync("mosquitto_passwd", "-c", "-b", passwd, $"bridge-{Site}", "bridge-pw-1");
        await File.WriteAllTextAsync(Path.Combine(directory, "bridge.pw"), "bridge-pw-1\n");
        _district = new MosquittoBroker
        {
            ExtraConfig = $"""
                listener {_districtBridgePort} 127.0.0.1
                allow_anonymous false
                password_file {passwd}
                """,
        };
        await _district.StartOwnAsync();
        _witness = await DurableSubscriber.StartAsync(_district.Host, _district.Port, "campus/v1/#", (topic, payload) =>
        {
            using var doc = JsonDocument.Parse(payload);
            _received.Enqueue((topic, doc.RootElement.GetProperty("seq").GetInt64()));
        }, _logs.CreateLogger("witness"));

        var config = await CliRun.RunAsync(string.Empty, TimeProvider.System, "bridge", "config", "--site", Site,
            "--district", $"mqtt://127.0.0.1:{_districtBridgePort}", "--username", $"bridge-{Site}", "--password-file", Path.Combine(directory, "bridge.pw"));
        Assert.Equal(0, config.ExitCode);
        _school = new MosquittoBroker { ExtraConfig = config.Stdout };
        await _school.StartOwnAsync();
    }

    [Fact]
    public async Task A_backlog_built_while_the_district_is_down_arrives_whole_and_in_order_across_a_school_broker_restart()
    {
        await _district.StopOwnAsync(graceful: true);
        await using (var gateway = await TestMqtt.ConnectAsync(_school.Host, _school.Port))
        {
            await PublishAsync(gateway, Site, 1, 150);
            await PublishAsync(gateway, OtherSite, 1, 30);
        }

        // The school's broker restarts (a service restart) while the whole backlog is still queued for the bridge.
        await _school.StopOwnAsync(graceful: true);
        await _school.StartOwnAsync();
        await using (var gateway = await TestMqtt.ConnectAsync(_school.Host, _school.Port))
        {
            await PublishAsync(gateway, Site, 151, 300);
        }

        Assert.Empty(_received);
        await _district.StartOwnAsync();

        await Eventually.True(() => Seqs(Site).Distinct().Count() == 300, "all 300 school messages at the district", TimeSpan.FromSeconds(60));
        AssertInOrderWithAtMostRedeliveries(await SeqsAfterFenceAsync(), 300);
        Assert.DoesNotContain(_received, r => r.Topic.Contains(OtherSite, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_link_cut_mid_stream_loses_nothing_and_the_district_catches_up_in_order()
    {
        await using var gateway = await TestMqtt.ConnectAsync(_school.Host, _school.Port);
        await PublishAsync(gateway, Site, 1, 200);
        await Eventually.True(() => Seqs(Site).Distinct().Count() >= 50, "the bridge forwarding");

        // The district goes away while the school keeps publishing, then comes back.
        await _district.StopOwnAsync(graceful: true);
        await PublishAsync(gateway, Site, 201, 600);
        await _district.StartOwnAsync();
        await PublishAsync(gateway, Site, 601, 800);

        await Eventually.True(() => Seqs(Site).Distinct().Count() == 800, "all 800 school messages at the district", TimeSpan.FromSeconds(60));
        var seqs = await SeqsAfterFenceAsync();
        AssertInOrderWithAtMostRedeliveries(seqs, 800);
        Assert.True(seqs.Count - 800 <= 100, $"at most the in-flight window redelivered, got {seqs.Count - 800} duplicates");
    }

    public async Task DisposeAsync()
    {
        if (_witness is not null)
        {
            await _witness.DisposeAsync();
        }

        await _school.DisposeAsync();
        await _district.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Each seq's first arrival comes in publish order (1..N, none missing); a later copy of a seq is a redelivery (QoS 1 after
    /// a cut link), which the district's store absorbs (see the ingest duplicate tests).
    /// </summary>
    private const int Fence = 1_000_000;

    /// <summary>
    /// Publishes one last message at the school and waits for it at the district: the bridge forwards over one connection
    /// in order, so once the fence is there nothing published before it (a late redelivery, another school's message) is
    /// still on its way — no timer guessing how long to wait. The school's messages as received, without the fence.
    /// </summary>
    private async Task<List<long>> SeqsAfterFenceAsync()
    {
        await using (var gateway = await TestMqtt.ConnectAsync(_school.Host, _school.Port))
        {
            await PublishAsync(gateway, Site, Fence, Fence);
        }

        await Eventually.True(() => Seqs(Site).Contains(Fence), "the fence through the bridge", TimeSpan.FromSeconds(60));
        return [.. Seqs(Site).Where(s => s != Fence)];
    }

    private static void AssertInOrderWithAtMostRedeliveries(IReadOnlyList<long> seqs, int count)
    {
        var seen = new HashSet<long>();
        var firsts = seqs.Where(seen.Add).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), firsts);
    }

    private static async Task PublishAsync(TestMqtt gateway, string site, int from, int to)
    {
        for (var seq = from; seq <= to; seq++)
        {
            var ts = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero).AddSeconds(seq).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            await gateway.PublishAsync($"campus/v1/{site}/gw-1/telemetry",
                $$"""{"seq":{{seq}},"ts":"{{ts}}","readings":[{"device":"lab3-fridge-1","metric":"temperature","value":4.25,"ts":"{{ts}}"}]}""");
        }
    }

    private static async Task RunAsync(string binary, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(binary, args) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{binary} did not start");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{binary} failed: {stderr}");
    }

    private List<long> Seqs(string site) => _received.Where(r => r.Topic == $"campus/v1/{site}/gw-1/telemetry").Select(r => r.Seq).ToList();
}
