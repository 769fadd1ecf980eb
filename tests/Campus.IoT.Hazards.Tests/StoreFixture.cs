using Campus.IoT.Alerting;
using Campus.IoT.Hazards.Attachments;
using Campus.IoT.Hazards.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Hazards.Tests;

/// <summary>
/// A registry on a fresh database of one provider (a SQLite file, or a PostgreSQL database of its own) with a fake clock at
/// 2026-11-20 10:00 Shanghai time and its own attachment directory. The store tests derive once per provider.
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    internal static readonly DateTimeOffset Start = new(2026, 11, 20, 2, 0, 0, TimeSpan.Zero);

    private string? _directory;

    internal FakeTimeProvider Time { get; } = new(Start);

    internal HazardStore Store { get; private set; } = null!;

    internal HazardAlarmFeed Feed { get; private set; } = null!;

    internal string AttachmentDir => Path.Combine(_directory!, "attachments");

    internal const long MaxAttachmentBytes = 64 * 1024;

    internal static TimeZoneInfo Shanghai { get; } = TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Shanghai", out var zone)
        ? zone
        : TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");

    private protected abstract Task<HazardDatabase> CreateDatabaseAsync(string directory);

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("campus-hazards-").FullName;
        var database = await CreateDatabaseAsync(_directory);
        Store = new HazardStore(database, new AttachmentStore(AttachmentDir, MaxAttachmentBytes), Time, Shanghai, NullLogger<HazardStore>.Instance);
        await Store.MigrateAsync();
        Feed = new HazardAlarmFeed(Store, new AlarmRepeatOptions(), NullLogger<HazardAlarmFeed>.Instance);
    }

    public Task DisposeAsync()
    {
        Feed.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
            // Temp data; best effort.
        }

        return Task.CompletedTask;
    }

    internal static HazardDraft Draft(string site = "school-1", HazardSource source = HazardSource.Inspection, bool ready = true) => new()
    {
        Site = site,
        Location = "实验楼 3F 化学实验室",
        Category = HazardCategory.LabChemicals,
        Source = source,
        Title = "危化品柜未双人双锁",
        Description = "3F 危化品柜只有一把锁",
        Risk = RiskLevel.Significant,
        FoundBy = "张三",
        Measures = ready ? "加装第二把锁，落实双人双锁" : null,
        ResponsiblePerson = ready ? "李四" : null,
        Deadline = ready ? new DateOnly(2026, 12, 1) : null,
    };

    internal async Task<Hazard> CreateAsync(HazardDraft? draft = null)
    {
        var outcome = await Store.CreateAsync(draft ?? Draft(), "tester", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Ok, outcome.Kind);
        return outcome.Hazard!;
    }

    /// <summary>A hazard brought to <paramref name="status"/> by legal transitions.</summary>
    internal async Task<Hazard> InStatusAsync(HazardStatus status)
    {
        var hazard = await CreateAsync();
        var path = status switch
        {
            HazardStatus.Registered => [],
            HazardStatus.Rectifying => [HazardAction.Start],
            HazardStatus.AwaitingVerification => [HazardAction.Start, HazardAction.Submit],
            _ => new[] { HazardAction.Start, HazardAction.Submit, HazardAction.Verify },
        };
        foreach (var action in path)
        {
            var outcome = await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(action, "ok", "王五"), "tester", CancellationToken.None);
            Assert.Equal(HazardOutcomeKind.Ok, outcome.Kind);
        }

        var found = await Store.FindAsync(hazard.Id, CancellationToken.None);
        Assert.Equal(status, found!.Status);
        return found;
    }

    internal async Task<List<HazardAuditEntry>> AuditAsync(long id)
    {
        await using var db = await Store.OpenAsync();
        return await db.Audit.AsNoTracking().Where(a => a.HazardId == id).OrderBy(a => a.Id).ToListAsync();
    }

    internal async Task<List<Hazard>> AllAsync()
    {
        await using var db = await Store.OpenAsync();
        return await db.Hazards.AsNoTracking().Include(h => h.Alarms).OrderBy(h => h.Id).ToListAsync();
    }

    internal static Alarm Alarm(string id, AlarmSeverity severity, DateTimeOffset raisedAt, string device = "fridge-1", string rule = "cold-storage", AlarmState state = AlarmState.ActiveUnack, string site = "school-1") => new()
    {
        Id = id,
        Rule = rule,
        Site = site,
        Gateway = "gw-1",
        Device = device,
        Severity = severity,
        State = state,
        RaisedAt = raisedAt,
        UpdatedAt = raisedAt,
        ClearedAt = state is AlarmState.Cleared or AlarmState.ClearedUnack ? raisedAt.AddMinutes(5) : null,
        Label = "食堂冷库",
    };

    internal Task RaiseAsync(Alarm alarm) => Feed.AlarmTransitionAsync(new AlarmTransition(AlarmTransitionKind.Raised, alarm, alarm.RaisedAt, "rule"), CancellationToken.None);

    internal Task ClearAsync(Alarm alarm) => Feed.AlarmTransitionAsync(
        new AlarmTransition(AlarmTransitionKind.Cleared, alarm with { State = AlarmState.ClearedUnack, ClearedAt = alarm.RaisedAt.AddMinutes(5) }, alarm.RaisedAt.AddMinutes(5), "rule"),
        CancellationToken.None);
}
