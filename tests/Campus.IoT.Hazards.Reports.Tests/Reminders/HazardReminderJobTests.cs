using System.Text.Json;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Hazards.Reminders;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Time.Testing;
using static Campus.IoT.Hazards.Reports.Tests.Samples;

namespace Campus.IoT.Hazards.Reports.Tests.Reminders;

/// <summary>
/// The daily job as a host runs it: Quartz 4 on a fake clock, the real notification dispatcher and webhook channel, a real
/// Kestrel receiver that checks each signature itself. The tests advance the clock and wait for the requests.
/// </summary>
public sealed class HazardReminderJobTests : IAsyncDisposable
{
    private const string Secret = "a-webhook-secret-of-32-characters";
    private readonly FakeTimeProvider _time = new(Beijing(2026, 11, 30, 7, 59));
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-reminders-").FullName;
    private readonly CapturedLogs _logs = new();
    private readonly TestMeterFactory _meters = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private IDeliveryStore? _store;

    private async Task<(HazardReminderScheduler Scheduler, WebhookReceiver Receiver)> StartAsync(HazardReminderOptions options)
    {
        var receiver = await WebhookReceiver.StartAsync(Secret);
        _owned.Add(receiver);
        var notify = new NotifyOptions
        {
            Webhooks =
            {
                ["li-phone"] = new WebhookOptions { Url = receiver.Url, Secret = Secret },
                ["office"] = new WebhookOptions { Url = receiver.Url, Secret = Secret },
            },
            Recipients = { ["李老师"] = new RecipientOptions { Webhooks = ["office"] } },
            Sites = { ["school-01"] = new() { ["李老师"] = new RecipientOptions { Webhooks = ["li-phone"] } } },
        };
        Assert.Empty(notify.Validate());
        _store = new SqliteDeliveryStore(Path.Combine(_directory, "alarms.db"));
        var dispatcher = new NotificationDispatcher([new WebhookChannel(new HttpClient(), notify, _time)], notify, _store, new AlertingMetrics(_meters), _time, _logs.CreateLogger<NotificationDispatcher>());
        var scheduler = new HazardReminderScheduler(new Source(ReminderDigestTests.Hazards()), dispatcher, options, _time, _logs.CreateLogger<HazardReminderScheduler>());
        _owned.Add(scheduler);
        await scheduler.StartAsync(CancellationToken.None);
        return (scheduler, receiver);
    }

    [Fact]
    public async Task At_08_00_beijing_each_persons_digest_reaches_their_webhook_and_again_the_next_morning()
    {
        var (scheduler, receiver) = await StartAsync(new HazardReminderOptions());
        Assert.Equal(Beijing(2026, 11, 30, 8, 0), await scheduler.NextRunAsync(CancellationToken.None));

        // A second before 08:00 the trigger has not fired: its next run is still this morning's (after firing it would be
        // tomorrow's), and nothing was sent.
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(Beijing(2026, 11, 30, 8, 0), await scheduler.NextRunAsync(CancellationToken.None));
        Assert.Empty(receiver.Requests);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => receiver.Requests.Count == 2, "two digests delivered at 08:00");
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid, "signature"));
        var first = receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).OrderBy(b => b.GetProperty("site").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(("hazard_reminder", "李老师", "school-01"), (first[0].GetProperty("kind").GetString(), first[0].GetProperty("recipient").GetString(), first[0].GetProperty("site").GetString()));
        Assert.Equal("【隐患整改提醒】1项已逾期，2项3天内到期 / Hazard reminder: 1 overdue, 2 due within 3 days (2026-11-30)", first[0].GetProperty("title").GetString());
        Assert.Contains("[#3] hazard 3 — 整改时限 2026-12-03，还剩3天", first[0].GetProperty("text").GetString());
        Assert.DoesNotContain("[#4]", first[0].GetProperty("text").GetString());
        Assert.Equal("【隐患整改提醒】1项已逾期，0项3天内到期 / Hazard reminder: 1 overdue, 0 due within 3 days (2026-11-30)", first[1].GetProperty("title").GetString());
        Assert.Equal(Beijing(2026, 12, 1, 8, 0), await scheduler.NextRunAsync(CancellationToken.None));

        // The next morning: 12-04 is now three days away, so hazard 4 comes in, and 王主任 gets a digest too — but has no
        // address configured: nothing reaches a receiver for him, and that is logged, not silent.
        _time.Advance(TimeSpan.FromDays(1));
        await Eventually.True(() => _logs.Entries.Any(e => e.EventId.Id == 7102 && e.Message.Contains("3 digests", StringComparison.Ordinal)), "the second run");
        await Eventually.True(() => receiver.Requests.Count == 4, "two more digests delivered on 12-01");
        var second = receiver.Requests.Skip(2).Select(r => JsonDocument.Parse(r.Body).RootElement).OrderBy(b => b.GetProperty("site").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(["李老师", "李老师"], second.Select(b => b.GetProperty("recipient").GetString()));
        Assert.Contains("[#4] hazard 4 — 整改时限 2026-12-04，还剩3天", second[0].GetProperty("text").GetString());
        Assert.Equal(4, receiver.Requests.Select(r => r.NotificationId).Distinct().Count());
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 7103 && e.Message.Contains("王主任", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 2306);
    }

    [Fact]
    public async Task The_time_and_zone_are_configurable()
    {
        var (scheduler, _) = await StartAsync(new HazardReminderOptions { At = new TimeOnly(18, 45), TimeZone = "UTC" });

        Assert.Equal(new DateTimeOffset(2026, 11, 30, 18, 45, 0, TimeSpan.Zero), await scheduler.NextRunAsync(CancellationToken.None));
        Assert.Equal(["Campus:Hazards:Reminders:TimeZone 'Mars/Olympus' is not a time zone this machine knows"], new HazardReminderOptions { TimeZone = "Mars/Olympus" }.Validate());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _store?.Dispose();
        _meters.Dispose();
    }

    private sealed class Source(IReadOnlyList<Hazard> hazards) : IHazardSource
    {
        public Task<IReadOnlyList<Hazard>> OpenHazardsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Hazard>>([.. hazards.Where(h => h.Status != HazardStatus.Closed)]);
    }
}
