using System.Globalization;
using System.Text.Json;
using Campus.IoT.Hazards.Attachments;
using Campus.IoT.Hazards.Storage;
using Campus.IoT.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Hazards;

/// <summary>
/// The hazard registry: create, edit, move through the closed loop (start → submit → verify | reject), attach files and
/// list with filters. Every change is checked before anything is touched (an illegal request changes nothing) and writes
/// its audit row in the same SaveChanges. Times come from the injected clock; "today" (for overdue) is the school's local
/// date in the given time zone.
/// </summary>
internal sealed partial class HazardStore : Reminders.IHazardSource
{
    public const int MaxText = 4000;
    public const int MaxShortText = 200;
    public const int MaxName = 100;

    private readonly HazardDatabase _database;
    private readonly AttachmentStore _files;
    private readonly TimeProvider _time;
    private readonly ILogger<HazardStore> _logger;
    private readonly Lock _migrationLock = new();
    private Task? _migration;

    public HazardStore(HazardDatabase database, AttachmentStore files, TimeProvider time, TimeZoneInfo zone, ILogger<HazardStore> logger)
    {
        _database = database;
        _files = files;
        _time = time;
        Zone = zone;
        _logger = logger;
    }

    public TimeZoneInfo Zone { get; }

    public HazardDatabase Database => _database;

    public AttachmentStore Files => _files;

    /// <summary>
    /// Applies the provider's migrations once per process (at start, and before any first use). A failed attempt (the
    /// database down or unreachable) is not remembered: the next use tries again.
    /// </summary>
    public Task MigrateAsync()
    {
        lock (_migrationLock)
        {
            if (_migration is null || _migration.IsFaulted || _migration.IsCanceled)
            {
                _migration = MigrateCoreAsync();
            }

            return _migration;
        }
    }

    /// <summary>The school's local date now.</summary>
    public DateOnly Today() => Reports.ListLabels.LocalDate(_time.GetUtcNow(), Zone);

    /// <summary>Not closed and the deadline (the last day of the period) is before today in the school's time zone.</summary>
    public static bool IsOverdue(Hazard hazard, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(hazard);
        return hazard.Status != HazardStatus.Closed && hazard.Deadline is { } deadline && deadline < today;
    }

    public bool IsOverdue(Hazard hazard) => IsOverdue(hazard, Today());

    /// <summary>A new context of the configured provider (callers dispose it); migrated first.</summary>
    public async Task<HazardDbContext> OpenAsync()
    {
        await MigrateAsync();
        return _database.CreateContext();
    }

    /// <summary>The filter as a query over <paramref name="source"/>, newest found first: reusable by exports and reports.</summary>
    public static IQueryable<Hazard> Apply(IQueryable<Hazard> source, HazardFilter filter, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = source;
        if (filter.Sites is { } sites)
        {
            query = query.Where(h => sites.Contains(h.Site));
        }

        if (filter.Site is { } site)
        {
            query = query.Where(h => h.Site == site);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(h => h.Status == status);
        }

        if (filter.Category is { } category)
        {
            query = query.Where(h => h.Category == category);
        }

        if (filter.Risk is { } risk)
        {
            query = query.Where(h => h.Risk == risk);
        }

        if (filter.Source is { } from)
        {
            query = query.Where(h => h.Source == from);
        }

        if (filter.Overdue is { } overdue)
        {
            query = overdue
                ? query.Where(h => h.Status != HazardStatus.Closed && h.Deadline != null && h.Deadline < today)
                : query.Where(h => h.Status == HazardStatus.Closed || h.Deadline == null || h.Deadline >= today);
        }

        if (filter.From is { } start)
        {
            query = query.Where(h => h.FoundAt >= start);
        }

        if (filter.To is { } end)
        {
            query = query.Where(h => h.FoundAt < end);
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim();
            query = query.Where(h => h.Title.Contains(text) || h.Description.Contains(text) || (h.Location != null && h.Location.Contains(text)));
        }

        return query.OrderByDescending(h => h.FoundAt).ThenByDescending(h => h.Id);
    }

    /// <summary>The hazards the filter selects (without their alarms, attachments and audit), at most <see cref="HazardFilter.Limit"/>.</summary>
    public async Task<IReadOnlyList<Hazard>> ListAsync(HazardFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await OpenAsync();
        return await Apply(db.Hazards.AsNoTracking(), filter, Today()).Take(filter.Limit).ToListAsync(cancellationToken);
    }

    /// <summary>Hazards found in [from, to) (optionally of one site) with their alarm links: the input of period reports.</summary>
    public async Task<IReadOnlyList<Hazard>> WithAlarmsAsync(DateTimeOffset from, DateTimeOffset to, string? site, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync();
        var filter = new HazardFilter { From = from, To = to, Site = site };
        return await Apply(db.Hazards.AsNoTracking(), filter, Today()).Include(h => h.Alarms).AsSplitQuery().ToListAsync(cancellationToken);
    }

    /// <summary>Every hazard not yet closed (销号), at every school: what the daily reminders read.</summary>
    public async Task<IReadOnlyList<Hazard>> OpenHazardsAsync(CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync();
        return await db.Hazards.AsNoTracking().Where(h => h.Status != HazardStatus.Closed).OrderBy(h => h.Site).ThenBy(h => h.Id).ToListAsync(cancellationToken);
    }

    /// <summary>One hazard with its alarms, attachments and audit timeline (oldest first), or null.</summary>
    public async Task<Hazard?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync();
        var hazard = await db.Hazards.AsNoTracking().Include(h => h.Alarms).Include(h => h.Attachments).Include(h => h.Audit)
            .AsSplitQuery().FirstOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hazard is not null)
        {
            hazard.Alarms = [.. hazard.Alarms.OrderBy(a => a.RaisedAt).ThenBy(a => a.Id)];
            hazard.Attachments = [.. hazard.Attachments.OrderBy(a => a.Id)];
            hazard.Audit = [.. hazard.Audit.OrderBy(a => a.Id)];
        }

        return hazard;
    }

    /// <summary>Registers a hazard (status registered, version 1) with a <c>create</c> audit row of its fields.</summary>
    public async Task<HazardOutcome> CreateAsync(HazardDraft draft, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (ValidateDraft(draft) is { } invalid)
        {
            return HazardOutcome.Invalid(invalid);
        }

        var now = Now();
        var hazard = new Hazard
        {
            Site = draft.Site,
            Location = Clean(draft.Location),
            Device = Clean(draft.Device),
            Category = draft.Category,
            Source = draft.Source,
            Title = draft.Title.Trim(),
            Description = draft.Description.Trim(),
            Risk = draft.Risk,
            Status = HazardStatus.Registered,
            FoundAt = draft.FoundAt is { } found ? Timestamps.TruncateToMilliseconds(found.ToUniversalTime()) : now,
            FoundBy = draft.FoundBy.Trim(),
            Measures = Clean(draft.Measures),
            Funds = draft.Funds,
            ResponsibleUnit = Clean(draft.ResponsibleUnit),
            ResponsiblePerson = Clean(draft.ResponsiblePerson),
            Deadline = draft.Deadline,
            Reinspector = Clean(draft.Reinspector),
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        hazard.Audit.Add(new HazardAuditEntry { At = now, By = by, Action = "create", Changes = Serialize(Snapshot(hazard)) });
        await using var db = await OpenAsync();
        db.Hazards.Add(hazard);
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(_logger, hazard.Id, hazard.Site, hazard.Source, by);
        return HazardOutcome.Ok(hazard);
    }

    /// <summary>Edits fields at the version the editor saw; a closed hazard is not edited; nothing changed writes nothing.</summary>
    public async Task<HazardOutcome> UpdateAsync(long id, long version, HazardPatch patch, string by, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (ValidatePatch(patch) is { } invalid)
        {
            return HazardOutcome.Invalid(invalid);
        }

        await using var db = await OpenAsync();
        var hazard = await db.Hazards.FirstOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hazard is null)
        {
            return HazardOutcome.NotFound(id);
        }

        if (hazard.Version != version)
        {
            return HazardOutcome.Conflict(id, hazard.Version);
        }

        if (hazard.Status == HazardStatus.Closed)
        {
            return HazardOutcome.Illegal($"隐患 {id} 已销号，不能修改 / hazard {id} is closed and cannot be changed");
        }

        var changes = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        if (patch.Location is { } location)
        {
            Change(changes, "location", hazard.Location, Clean(location), v => hazard.Location = v);
        }

        if (patch.Category is { } category)
        {
            Change(changes, "category", hazard.Category.ToWire(), category.ToWire(), _ => hazard.Category = category);
        }

        if (patch.Title is { } title)
        {
            Change(changes, "title", hazard.Title, title.Trim(), v => hazard.Title = v!);
        }

        if (patch.Description is { } description)
        {
            Change(changes, "description", hazard.Description, description.Trim(), v => hazard.Description = v!);
        }

        if (patch.Risk is { } risk)
        {
            Change(changes, "risk", hazard.Risk.ToWire(), risk.ToWire(), _ => hazard.Risk = risk);
        }

        if (patch.Measures is { } measures)
        {
            Change(changes, "measures", hazard.Measures, Clean(measures), v => hazard.Measures = v);
        }

        if (patch.Funds is { } funds)
        {
            Change(changes, "funds", Format(hazard.Funds), Format(funds), _ => hazard.Funds = funds);
        }

        if (patch.ResponsibleUnit is { } unit)
        {
            Change(changes, "responsibleUnit", hazard.ResponsibleUnit, Clean(unit), v => hazard.ResponsibleUnit = v);
        }

        if (patch.ResponsiblePerson is { } person)
        {
            Change(changes, "responsiblePerson", hazard.ResponsiblePerson, Clean(person), v => hazard.ResponsiblePerson = v);
        }

        if (patch.Deadline is { } deadline)
        {
            Change(changes, "deadline", Format(hazard.Deadline), Format(deadline), _ => hazard.Deadline = deadline);
        }

        if (patch.Reinspector is { } reinspector)
        {
            Change(changes, "reinspector", hazard.Reinspector, Clean(reinspector), v => hazard.Reinspector = v);
        }

        if (changes.Count == 0)
        {
            return HazardOutcome.Ok(hazard);
        }

        return await SaveChangeAsync(db, hazard, "update", changes, by, note, cancellationToken);
    }

    /// <summary>
    /// Moves the hazard through its closed loop. Legal: registered -start→ rectifying (measures, responsible person and
    /// deadline set), rectifying -submit→ awaiting_verification, awaiting_verification -verify→ closed (a re-inspector named,
    /// no linked alarm still active), awaiting_verification -reject→ rectifying (with a note). Anything else is refused and
    /// changes nothing.
    /// </summary>
    public async Task<HazardOutcome> TransitionAsync(long id, HazardTransitionRequest request, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var note = Clean(request.Note);
        var reinspector = Clean(request.Reinspector);
        if (note is { Length: > 2000 } || reinspector is { Length: > MaxName })
        {
            return HazardOutcome.Invalid($"note is at most 2000 characters and reinspector at most {MaxName}");
        }

        await using var db = await OpenAsync();
        var hazard = await db.Hazards.Include(h => h.Alarms).FirstOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hazard is null)
        {
            return HazardOutcome.NotFound(id);
        }

        if (request.Version is { } version && hazard.Version != version)
        {
            return HazardOutcome.Conflict(id, hazard.Version);
        }

        var (from, to) = request.Action switch
        {
            HazardAction.Start => (HazardStatus.Registered, HazardStatus.Rectifying),
            HazardAction.Submit => (HazardStatus.Rectifying, HazardStatus.AwaitingVerification),
            HazardAction.Verify => (HazardStatus.AwaitingVerification, HazardStatus.Closed),
            HazardAction.Reject => (HazardStatus.AwaitingVerification, HazardStatus.Rectifying),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Action, null),
        };
        if (hazard.Status != from)
        {
            return HazardOutcome.Illegal(
                $"“{request.Action.Label()}”只能用于{from.Label()}的隐患，隐患 {id} 当前为{hazard.Status.Label()} / {request.Action.ToWire()} applies to a {from.ToWire()} hazard; hazard {id} is {hazard.Status.ToWire()}");
        }

        var now = Now();
        var changes = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        switch (request.Action)
        {
            case HazardAction.Start:
                var missing = new List<string>();
                if (hazard.Measures is null)
                {
                    missing.Add("measures 整改措施");
                }

                if (hazard.ResponsiblePerson is null)
                {
                    missing.Add("responsiblePerson 责任人");
                }

                if (hazard.Deadline is null)
                {
                    missing.Add("deadline 整改时限");
                }

                if (missing.Count > 0)
                {
                    return HazardOutcome.Illegal($"开始整改前须填写：{string.Join("、", missing)} / set before start: {string.Join(", ", missing)}");
                }

                break;
            case HazardAction.Verify:
                if (reinspector is null && hazard.Reinspector is null)
                {
                    return HazardOutcome.Illegal("验收须有复查人 / verify needs the reinspector");
                }

                if (hazard.Alarms.FirstOrDefault(a => a.Active) is { } active)
                {
                    return HazardOutcome.Illegal($"报警 {active.AlarmId} 仍在报警中，不能销号 / alarm {active.AlarmId} is still active: clear it before closing");
                }

                if (reinspector is not null)
                {
                    Change(changes, "reinspector", hazard.Reinspector, reinspector, v => hazard.Reinspector = v);
                }

                Change(changes, "verificationPassed", Format(hazard.VerificationPassed), Format(true), _ => hazard.VerificationPassed = true);
                Change(changes, "verifiedAt", Format(hazard.VerifiedAt), Format(now), _ => hazard.VerifiedAt = now);
                Change(changes, "closedAt", Format(hazard.ClosedAt), Format(now), _ => hazard.ClosedAt = now);
                Change(changes, "verificationNote", hazard.VerificationNote, note, v => hazard.VerificationNote = v);
                break;
            case HazardAction.Reject:
                if (note is null)
                {
                    return HazardOutcome.Invalid("验收不通过须说明原因 / reject needs a note saying why");
                }

                if (reinspector is not null)
                {
                    Change(changes, "reinspector", hazard.Reinspector, reinspector, v => hazard.Reinspector = v);
                }

                Change(changes, "verificationPassed", Format(hazard.VerificationPassed), Format(false), _ => hazard.VerificationPassed = false);
                Change(changes, "verifiedAt", Format(hazard.VerifiedAt), Format(now), _ => hazard.VerifiedAt = now);
                Change(changes, "verificationNote", hazard.VerificationNote, note, v => hazard.VerificationNote = v);
                break;
        }

        Change(changes, "status", hazard.Status.ToWire(), to.ToWire(), _ => hazard.Status = to);
        var outcome = await SaveChangeAsync(db, hazard, request.Action.ToWire(), changes, by, note, cancellationToken);
        if (outcome.Kind == HazardOutcomeKind.Ok)
        {
            LogTransition(_logger, id, request.Action, to, by);
        }

        return outcome;
    }

    /// <summary>
    /// Stores a file and attaches it (audit <c>attach</c>). A refused file (too large, not an accepted type) is an
    /// <see cref="HazardOutcomeKind.Invalid"/> outcome with the reason; the same content attached again to the same hazard
    /// returns the existing attachment.
    /// </summary>
    public async Task<(HazardOutcome Outcome, HazardAttachment? Attachment)> AttachAsync(long id, string fileName, Stream content, string by, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName((fileName ?? string.Empty).Replace('\\', '/')).Trim();
        if (name.Length is 0 or > 255)
        {
            return (HazardOutcome.Invalid("the file needs a name of 1-255 characters"), null);
        }

        await using var db = await OpenAsync();
        var hazard = await db.Hazards.Include(h => h.Attachments).FirstOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hazard is null)
        {
            return (HazardOutcome.NotFound(id), null);
        }

        if (hazard.Status == HazardStatus.Closed)
        {
            return (HazardOutcome.Illegal($"隐患 {id} 已销号，不能再添加附件 / hazard {id} is closed"), null);
        }

        var stored = await _files.SaveAsync(content, name, cancellationToken);
        if (stored.Refusal is { } refusal)
        {
            LogAttachmentRefused(_logger, id, name, refusal);
            return (HazardOutcome.Invalid(refusal), null);
        }

        if (hazard.Attachments.FirstOrDefault(a => a.Sha256 == stored.Sha256) is { } existing)
        {
            return (HazardOutcome.Ok(hazard), existing);
        }

        var attachment = new HazardAttachment
        {
            FileName = name,
            ContentType = stored.ContentType,
            Size = stored.Size,
            Sha256 = stored.Sha256,
            UploadedAt = Now(),
            UploadedBy = by,
        };
        hazard.Attachments.Add(attachment);
        var changes = new Dictionary<string, string?[]>(StringComparer.Ordinal) { ["attachment"] = [null, $"{name} ({stored.Sha256}, {stored.Size} B)"] };
        var outcome = await SaveChangeAsync(db, hazard, "attach", changes, by, null, cancellationToken);
        return (outcome, outcome.Kind == HazardOutcomeKind.Ok ? attachment : null);
    }

    /// <summary>Bumps the version, stamps the time and writes the audit row in the same SaveChanges; a concurrent edit is a conflict.</summary>
    private async Task<HazardOutcome> SaveChangeAsync(HazardDbContext db, Hazard hazard, string action, Dictionary<string, string?[]> changes, string by, string? note, CancellationToken cancellationToken)
    {
        var now = Now();
        hazard.UpdatedAt = now;
        hazard.Version++;
        db.Audit.Add(new HazardAuditEntry { HazardId = hazard.Id, At = now, By = by, Action = action, Changes = Serialize(changes), Note = note });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return HazardOutcome.Ok(hazard);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = _database.CreateContext();
            var current = await fresh.Hazards.AsNoTracking().Where(h => h.Id == hazard.Id).Select(h => h.Version).FirstOrDefaultAsync(cancellationToken);
            return HazardOutcome.Conflict(hazard.Id, current);
        }
    }

    internal DateTimeOffset Now() => Timestamps.TruncateToMilliseconds(_time.GetUtcNow().ToUniversalTime());

    internal static string Serialize(Dictionary<string, string?[]> changes) => JsonSerializer.Serialize(changes, HazardJsonContext.Default.DictionaryStringStringArray);

    /// <summary>Applies a field change and records it as [old, new] when the value differs.</summary>
    internal static void Change(Dictionary<string, string?[]> changes, string field, string? old, string? value, Action<string?> apply)
    {
        if (!string.Equals(old, value, StringComparison.Ordinal))
        {
            changes[field] = [old, value];
            apply(value);
        }
    }

    /// <summary>The set fields of a new hazard, each as [null, value].</summary>
    internal static Dictionary<string, string?[]> Snapshot(Hazard h)
    {
        var fields = new (string Name, string? Value)[]
        {
            ("site", h.Site), ("location", h.Location), ("device", h.Device), ("category", h.Category.ToWire()), ("source", h.Source.ToWire()),
            ("title", h.Title), ("description", h.Description), ("risk", h.Risk.ToWire()), ("status", h.Status.ToWire()),
            ("foundAt", Format(h.FoundAt)), ("foundBy", h.FoundBy), ("measures", h.Measures), ("funds", Format(h.Funds)),
            ("responsibleUnit", h.ResponsibleUnit), ("responsiblePerson", h.ResponsiblePerson), ("deadline", Format(h.Deadline)),
            ("reinspector", h.Reinspector),
        };
        return fields.Where(f => f.Value is not null).ToDictionary(f => f.Name, f => new[] { null, f.Value }, StringComparer.Ordinal);
    }

    internal static string? Format(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string? Format(DateTimeOffset? value) => value is { } v ? Timestamps.Format(v) : null;

    internal static string? Format(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    internal static string? Format(bool? value) => value is { } v ? (v ? "true" : "false") : null;

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? ValidateDraft(HazardDraft d)
    {
        if (!Identifier.IsValid(d.Site))
        {
            return "'site' must be a site identifier";
        }

        if (d.Device is { Length: > 0 } device && !Identifier.IsValid(device))
        {
            return "'device' must be a device identifier";
        }

        if (string.IsNullOrWhiteSpace(d.Title) || d.Title.Trim().Length > MaxShortText)
        {
            return $"'title' is required (1-{MaxShortText} characters)";
        }

        if (string.IsNullOrWhiteSpace(d.Description) || d.Description.Trim().Length > MaxText)
        {
            return $"'description' is required (1-{MaxText} characters)";
        }

        if (string.IsNullOrWhiteSpace(d.FoundBy) || d.FoundBy.Trim().Length > MaxName)
        {
            return $"'foundBy' is required (1-{MaxName} characters)";
        }

        return ValidateTexts(d.Location, d.Measures, d.ResponsibleUnit, d.ResponsiblePerson, d.Reinspector, d.Funds)
            ?? (!Enum.IsDefined(d.Category) || !Enum.IsDefined(d.Source) || !Enum.IsDefined(d.Risk) ? "category, source or risk is not a known value" : null);
    }

    private static string? ValidatePatch(HazardPatch p)
    {
        if (p.Title is { } title && (string.IsNullOrWhiteSpace(title) || title.Trim().Length > MaxShortText))
        {
            return $"'title' cannot be cleared and is at most {MaxShortText} characters";
        }

        if (p.Description is { } description && (string.IsNullOrWhiteSpace(description) || description.Trim().Length > MaxText))
        {
            return $"'description' cannot be cleared and is at most {MaxText} characters";
        }

        return ValidateTexts(p.Location, p.Measures, p.ResponsibleUnit, p.ResponsiblePerson, p.Reinspector, p.Funds);
    }

    private static string? ValidateTexts(string? location, string? measures, string? unit, string? person, string? reinspector, decimal? funds)
    {
        if (location?.Trim().Length > MaxShortText || unit?.Trim().Length > MaxShortText)
        {
            return $"'location' and 'responsibleUnit' are at most {MaxShortText} characters";
        }

        if (measures?.Trim().Length > MaxText)
        {
            return $"'measures' is at most {MaxText} characters";
        }

        if (person?.Trim().Length > MaxName || reinspector?.Trim().Length > MaxName)
        {
            return $"'responsiblePerson' and 'reinspector' are at most {MaxName} characters";
        }

        if (funds is < 0 or > 999_999_999_999m)
        {
            return "'funds' must be 0 or more yuan";
        }

        return null;
    }

    private async Task MigrateCoreAsync()
    {
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync();
        if (_database.Provider == HazardProvider.Sqlite)
        {
            // Readers (lists, the board's pages) never wait for the alarm feed's writes, nor it for them.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        LogMigrated(_logger, _database.Provider);
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Information, Message = "Hazard registry ready on {Provider} (migrations applied)")]
    private static partial void LogMigrated(ILogger logger, HazardProvider provider);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Information, Message = "Hazard {Id} registered at {Site} (source {Source}) by {By}")]
    private static partial void LogCreated(ILogger logger, long id, string site, HazardSource source, string by);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Information, Message = "Hazard {Id}: {Action} → {Status} by {By}")]
    private static partial void LogTransition(ILogger logger, long id, HazardAction action, HazardStatus status, string by);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "Hazard {Id}: attachment {FileName} refused: {Reason}")]
    private static partial void LogAttachmentRefused(ILogger logger, long id, string fileName, string reason);
}
