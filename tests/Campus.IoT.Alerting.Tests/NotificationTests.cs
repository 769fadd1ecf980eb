using System.Text.Json;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Campus.IoT.Alerting.Tests;

/// <summary>
/// The notification channels against real servers: a Kestrel webhook receiver that verifies the HMAC signature itself, and
/// Debian's aiosmtpd SMTP server. Every attempt must be recorded on the alarm. Retry delays are shortened by configuration
/// (the back-off arithmetic is not what is tested here), and the tests wait for the recorded outcome, never for a time.
/// </summary>
public sealed class NotificationTests : IAsyncDisposable
{
    private const string Secret = "a-webhook-secret-of-32-characters";
    private readonly string _directory = Directory.CreateTempSubdirectory("campus-notify-").FullName;
    private readonly CapturedLogs _logs = new();
    private readonly TestMeterFactory _meters = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private IDeliveryStore? _store;

    private static AlarmTransition Escalated(int level = 1) => new(
        AlarmTransitionKind.Escalated,
        new Alarm
        {
            Id = "0194c0ffee0000000000000000000001",
            Rule = AlarmEngine.FireRule,
            Site = "school-01",
            Gateway = "gw-1",
            Device = "smoke-3f",
            Zone = "教学楼3层",
            Severity = AlarmSeverity.Critical,
            State = AlarmState.ActiveUnack,
            RaisedAt = new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(2026, 11, 29, 3, 1, 0, TimeSpan.Zero),
            EscalationLevel = level,
        },
        new DateTimeOffset(2026, 11, 29, 3, 1, 0, TimeSpan.Zero),
        "system",
        "level 1: safety-officer, principal");

    private async Task<NotificationDispatcher> StartDispatcherAsync(NotifyOptions options)
    {
        Assert.Empty(options.Validate());
        _store = new SqliteDeliveryStore(Path.Combine(_directory, "alarms.db"));
        INotificationChannel[] channels = [new WebhookChannel(new HttpClient(), options, TimeProvider.System), new EmailChannel(options)];
        var dispatcher = new NotificationDispatcher(channels, options, _store, new AlertingMetrics(_meters), TimeProvider.System, _logs.CreateLogger<NotificationDispatcher>());
        await dispatcher.StartAsync(CancellationToken.None);
        _owned.Add(new Stopping(dispatcher));
        return dispatcher;
    }

    private static RetryOptions FastRetry(int attempts) => new() { Attempts = attempts, FirstDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) };

    private async Task<IReadOnlyList<DeliveryRecord>> RecordsAsync(Func<IReadOnlyList<DeliveryRecord>, bool> done, string what)
    {
        IReadOnlyList<DeliveryRecord> records = [];
        await Eventually.True(() => done(records = _store!.ForAlarm(Escalated().Alarm.Id)), what);
        return records;
    }

    [Fact]
    public async Task A_webhook_is_signed_retried_on_503_with_the_same_notification_id_and_every_attempt_is_recorded()
    {
        var receiver = await WebhookReceiver.StartAsync(Secret, 503, 503, 200);
        _owned.Add(receiver);
        var dispatcher = await StartDispatcherAsync(new NotifyOptions
        {
            Webhooks = { ["duty-phone"] = new WebhookOptions { Url = receiver.Url, Secret = Secret } },
            Recipients = { ["safety-officer"] = new RecipientOptions { Webhooks = ["duty-phone"] } },
            Retry = FastRetry(5),
        });

        var notification = Assert.Single(NotificationDispatcher.For(Escalated(), EscalationPolicy.Fire), n => n.Recipient == "safety-officer");
        dispatcher.Enqueue(notification);

        var records = await RecordsAsync(r => r.Any(d => d.Outcome == DeliveryOutcome.Sent), "the webhook delivered");
        Assert.Equal([(1, DeliveryOutcome.Failed), (2, DeliveryOutcome.Failed), (3, DeliveryOutcome.Sent)], records.Select(r => (r.Attempt, r.Outcome)));
        Assert.All(records, r => Assert.Equal(("webhook", "duty-phone", "safety-officer", 1, "escalated"), (r.Channel, r.Address, r.Recipient, r.Level, r.Transition)));
        Assert.Contains("HTTP 503", records[0].Error);

        // The receiver checked each signature with the shared secret, as a real receiver would.
        Assert.Equal(3, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid, "signature"));
        Assert.Single(receiver.Requests.Select(r => r.NotificationId).Distinct());
        using var body = JsonDocument.Parse(receiver.Requests.Last().Body);
        var root = body.RootElement;
        Assert.Equal("escalated", root.GetProperty("transition").GetString());
        Assert.Equal(1, root.GetProperty("level").GetInt32());
        Assert.Equal("smoke-3f", root.GetProperty("alarm").GetProperty("device").GetString());
        Assert.StartsWith("【紧急】火警 school-01 / gw-1 / smoke-3f / 教学楼3层 — 已升级第1级", root.GetProperty("title").GetString());
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 2301);
    }

    [Fact]
    public async Task A_4xx_answer_is_permanent_one_attempt_recorded_as_gave_up_and_logged()
    {
        var receiver = await WebhookReceiver.StartAsync(Secret, 400);
        _owned.Add(receiver);
        var dispatcher = await StartDispatcherAsync(new NotifyOptions
        {
            Webhooks = { ["ops"] = new WebhookOptions { Url = receiver.Url, Secret = Secret } },
            Recipients = { ["principal"] = new RecipientOptions { Webhooks = ["ops"] } },
            Retry = FastRetry(5),
        });

        dispatcher.Enqueue(NotificationDispatcher.For(Escalated(), EscalationPolicy.Fire).Single(n => n.Recipient == "principal"));

        var record = Assert.Single(await RecordsAsync(r => r.Count > 0, "a record"));
        Assert.Equal((1, DeliveryOutcome.GaveUp), (record.Attempt, record.Outcome));
        Assert.Contains("HTTP 400", record.Error);
        await Eventually.True(() => _logs.Entries.Any(e => e.EventId.Id == 2302 && e.Level == LogLevel.Error), "gave-up logged");
    }

    [Fact]
    public async Task A_recipient_without_any_address_is_recorded_as_unrouted_and_logged_as_an_error()
    {
        var dispatcher = await StartDispatcherAsync(new NotifyOptions());
        foreach (var n in NotificationDispatcher.For(Escalated(), EscalationPolicy.Fire))
        {
            dispatcher.Enqueue(n);
        }

        var records = await RecordsAsync(r => r.Count == 2, "two unrouted records");
        Assert.Equal(["principal", "safety-officer"], records.Select(r => r.Recipient).Order());
        Assert.All(records, r => Assert.Equal(DeliveryOutcome.Unrouted, r.Outcome));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 2303 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Email_reaches_a_real_smtp_server_in_chinese_first_and_is_retried_while_the_server_is_down()
    {
        var smtp = SmtpTestServer.Create();   // not started: the mail server is down
        _owned.Add(smtp);
        var dispatcher = await StartDispatcherAsync(new NotifyOptions
        {
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "alarms@school-01.edu.cn", Timeout = TimeSpan.FromSeconds(10) },
            Recipients = { ["safety-officer"] = new RecipientOptions { Email = ["anquan@school-01.edu.cn"] } },
            Retry = new RetryOptions { Attempts = 20, FirstDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) },
        });

        dispatcher.Enqueue(NotificationDispatcher.For(Escalated(), EscalationPolicy.Fire).Single(n => n.Recipient == "safety-officer"));
        await RecordsAsync(r => r.Any(d => d.Outcome == DeliveryOutcome.Failed), "a failed attempt while the server is down");
        await smtp.StartAsync();

        var records = await RecordsAsync(r => r.Any(d => d.Outcome == DeliveryOutcome.Sent), "the email delivered");
        Assert.All(records.SkipLast(1), r => Assert.Equal(DeliveryOutcome.Failed, r.Outcome));
        Assert.Equal(("email", "anquan@school-01.edu.cn"), (records[^1].Channel, records[^1].Address));

        var file = await Eventually.Get(() => Task.FromResult(smtp.Messages() is [var first, ..] ? first : null), "a message in the Maildir");
        var message = await MimeMessage.LoadAsync(file);
        Assert.StartsWith("【紧急】火警", message.Subject);
        Assert.Contains("escalated to level 1", message.Subject);
        Assert.Equal("anquan@school-01.edu.cn", message.To.Mailboxes.Single().Address);
        Assert.Equal(Escalated().Alarm.Id, message.Headers["X-Campus-Alarm"]);
        Assert.Contains("位置 / Place: school-01 / gw-1 / smoke-3f / 教学楼3层", message.TextBody);
    }

    [Fact]
    public async Task A_message_that_is_not_an_alarm_reaches_every_route_of_its_recipient_with_retries_and_each_outcome_is_returned()
    {
        var receiver = await WebhookReceiver.StartAsync(Secret, 503, 200);
        _owned.Add(receiver);
        var options = new NotifyOptions
        {
            Webhooks = { ["duty-phone"] = new WebhookOptions { Url = receiver.Url, Secret = Secret } },
            Sites = { ["school-01"] = new() { ["李老师"] = new RecipientOptions { Webhooks = ["duty-phone"], Dashboard = true } } },
            Retry = FastRetry(3),
        };
        Assert.Empty(options.Validate());
        _store = new SqliteDeliveryStore(Path.Combine(_directory, "alarms.db"));
        INotificationChannel[] channels = [new WebhookChannel(new HttpClient(), options, TimeProvider.System), new AlarmsOnlyChannel()];
        using var dispatcher = new NotificationDispatcher(channels, options, _store, new AlertingMetrics(_meters), TimeProvider.System, _logs.CreateLogger<NotificationDispatcher>());
        var message = new NotificationMessage("hazard-reminder-1", "hazard_reminder", "school-01", "李老师", new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), "【隐患整改提醒】1项已逾期", "正文 / body");

        var outcomes = await dispatcher.SendAsync(message, CancellationToken.None);

        Assert.Equal(
            [("dashboard", "school-01", 1, DeliveryOutcome.GaveUp), ("webhook", "duty-phone", 2, DeliveryOutcome.Sent)],
            outcomes.Select(o => (o.Channel, o.Address, o.Attempts, o.Outcome)).Order());
        Assert.Contains("does not carry messages", outcomes.Single(o => o.Channel == "dashboard").Error);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid && r.NotificationId == "hazard-reminder-1", "signed, same id on retry"));
        using var body = JsonDocument.Parse(receiver.Requests.Last().Body);
        Assert.Equal(("hazard_reminder", "李老师", "school-01", "【隐患整改提醒】1项已逾期", "正文 / body"), (
            body.RootElement.GetProperty("kind").GetString(), body.RootElement.GetProperty("recipient").GetString(), body.RootElement.GetProperty("site").GetString(),
            body.RootElement.GetProperty("title").GetString(), body.RootElement.GetProperty("text").GetString()));
        Assert.Empty(_store.ForAlarm("hazard-reminder-1"));

        // The same person at another school has no route there: unrouted, logged as an error.
        var elsewhere = await dispatcher.SendAsync(message with { Site = "school-02" }, CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Unrouted, Assert.Single(elsewhere).Outcome);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 2306 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task A_message_that_is_not_an_alarm_goes_by_email_with_its_subject_and_body_as_they_are()
    {
        var smtp = SmtpTestServer.Create();
        _owned.Add(smtp);
        await smtp.StartAsync();
        var options = new NotifyOptions
        {
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "alarms@school-01.edu.cn", Timeout = TimeSpan.FromSeconds(10) },
            Recipients = { ["李老师"] = new RecipientOptions { Email = ["li@school-01.edu.cn"] } },
            Retry = FastRetry(3),
        };
        _store = new SqliteDeliveryStore(Path.Combine(_directory, "alarms.db"));
        using var dispatcher = new NotificationDispatcher([new EmailChannel(options)], options, _store, new AlertingMetrics(_meters), TimeProvider.System, _logs.CreateLogger<NotificationDispatcher>());
        var message = new NotificationMessage("hazard-reminder-2", "hazard_reminder", "school-01", "李老师", DateTimeOffset.UnixEpoch, "【隐患整改提醒】0项已逾期，1项3天内到期", "第一行\nsecond line\n");

        var outcome = Assert.Single(await dispatcher.SendAsync(message, CancellationToken.None));

        Assert.Equal(("email", "li@school-01.edu.cn", DeliveryOutcome.Sent), (outcome.Channel, outcome.Address, outcome.Outcome));
        var file = await Eventually.Get(() => Task.FromResult(smtp.Messages() is [var first, ..] ? first : null), "a message in the Maildir");
        var mail = await MimeMessage.LoadAsync(file);
        Assert.Equal("【隐患整改提醒】0项已逾期，1项3天内到期", mail.Subject);
        Assert.Equal("hazard-reminder-2", mail.Headers["X-Campus-Notification"]);
        Assert.Contains("第一行", mail.TextBody);
        Assert.Contains("second line", mail.TextBody);
    }

    [Fact]
    public void Notification_options_report_every_error()
    {
        var options = new NotifyOptions
        {
            Webhooks = { ["bad"] = new WebhookOptions { Url = "ftp://x", Secret = "short" } },
            Recipients = { ["principal"] = new RecipientOptions { Webhooks = ["missing"], Email = ["not-an-address"] } },
        };
        Assert.Equal(
            [
                "Campus:Notify:Webhooks:bad:Url must be an absolute http(s) URL (got 'ftp://x')",
                "Campus:Notify:Webhooks:bad:Secret must be at least 16 characters (it signs every request)",
                "Campus:Notify recipient principal: no webhook 'missing' under Campus:Notify:Webhooks",
                "Campus:Notify recipient principal: 'not-an-address' is not an email address",
                "Campus:Notify recipient principal has email addresses but Campus:Notify:Smtp is not configured",
            ],
            options.Validate());
    }

    [Fact]
    public void Only_raises_of_active_unacknowledged_alarms_escalations_and_resumptions_notify_and_only_with_a_policy()
    {
        var escalated = Escalated();
        Assert.Equal(["safety-officer", "principal"], NotificationDispatcher.For(escalated, EscalationPolicy.Fire).Select(n => n.Recipient));
        Assert.Empty(NotificationDispatcher.For(escalated, null));
        Assert.Empty(NotificationDispatcher.For(escalated with { Kind = AlarmTransitionKind.Updated }, EscalationPolicy.Fire));
        Assert.Empty(NotificationDispatcher.For(escalated with { Kind = AlarmTransitionKind.Raised, Alarm = escalated.Alarm with { State = AlarmState.Suppressed } }, EscalationPolicy.Fire));
        var raised = Assert.Single(NotificationDispatcher.For(escalated with { Kind = AlarmTransitionKind.Raised, Alarm = escalated.Alarm with { EscalationLevel = 0 } }, EscalationPolicy.Fire));
        Assert.Equal(("guard-room", 0), (raised.Recipient, raised.Level));
        Assert.Equal([("dashboard", "school-01")], new NotifyOptions().Resolve("school-01", "guard-room"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _store?.Dispose();
        _meters.Dispose();
    }

    /// <summary>A channel that carries alarms only, like the guard-room board: messages get the interface's default refusal.</summary>
    private sealed class AlarmsOnlyChannel : INotificationChannel
    {
        public string Name => "dashboard";

        public Task SendAsync(Notification notification, string address, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Stopping(NotificationDispatcher dispatcher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await dispatcher.StopAsync(CancellationToken.None);
            dispatcher.Dispose();
        }
    }
}
