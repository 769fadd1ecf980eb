using System.Globalization;
using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Hazards;
using Campus.IoT.Hazards.Reports;
using Campus.IoT.Telemetry;
using Microsoft.Net.Http.Headers;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// The district plan's 三清单 and annual report over the hazard registry (docs/hazards.md "Exports", "Annual report"; the
/// pages <c>/lists.html</c> and <c>/report.html</c>):
/// <c>GET /api/hazards/lists?site=&amp;from=&amp;to=&amp;category=&amp;status=&amp;risk=</c> (JSON),
/// <c>/api/hazards/lists.xlsx</c> (one workbook, three sheets), <c>/api/hazards/lists/{problems|measures|responsibilities}.csv</c>,
/// <c>GET /api/hazards/report?year=&amp;site=</c> (JSON) and <c>/api/hazards/report.xlsx</c>. A site the user does not belong
/// to is 403; without a site, every school the user sees (a district admin: all). <c>from</c>/<c>to</c> are RFC 3339 times
/// ([from, to)) or dates <c>yyyy-MM-dd</c> in the school's time zone, <c>to</c> then being the last day included.
/// XLSX is built in a <see cref="MemoryStream"/> (MiniExcel's zip writer flushes synchronously, which Kestrel refuses on the
/// response body); CSV is written straight to the response body.
/// </summary>
internal static class HazardReportEndpoints
{
    /// <summary>The most hazards one list or report reads; more is refused (400) rather than cut short without notice.</summary>
    public const int MaxRows = 20_000;

    /// <summary>The most alarms one annual report reads.</summary>
    public const int MaxAlarms = 1_000_000;

    public const int MinYear = 2000;
    public const int MaxYear = 2100;

    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly string[] ListKeys = ["problems", "measures", "responsibilities"];

    private static readonly string[][] Columns =
    [
        ["no", "school", "location", "category", "description", "risk", "source", "foundAt", "foundBy", "status", "overdue"],
        ["no", "school", "description", "measures", "funds", "deadline", "status", "verification", "verifiedOn"],
        ["no", "school", "description", "unit", "person", "deadline", "reinspector", "status", "overdue"],
    ];

    public static void MapHazardReportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/hazards");

        group.MapGet("/lists", async (ClaimsPrincipal user, HazardStore store, SiteDirectory directory, TimeProvider time, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var (lists, query, problem) = await ListsAsync(user, store, directory, time, request.Query, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var byId = lists!.Hazards.ToDictionary(h => h.Id);
            var tables = lists.Lists.Tables();
            var problems = lists.Lists.Problems;
            return Results.Ok(new
            {
                site = query!.Site,
                siteName = query.Site is { } s ? directory.NameOf(s) ?? s : null,
                from = query.FromText,
                to = query.ToText,
                timeZone = store.Zone.Id,
                count = problems.Count,
                overdue = problems.Count(p => p.Overdue == ListLabels.Yes),
                lists = tables.Select((table, i) => new
                {
                    key = ListKeys[i],
                    name = table.Name,
                    columns = Columns[i],
                    headers = table.Headers,
                    rows = table.Rows.Select((cells, r) =>
                    {
                        var h = byId[problems[r].HazardId];
                        return new
                        {
                            hazardId = h.Id,
                            site = h.Site,
                            category = h.Category.ToWire(),
                            risk = h.Risk.ToWire(),
                            source = h.Source.ToWire(),
                            status = h.Status.ToWire(),
                            overdue = problems[r].Overdue == ListLabels.Yes,
                            verification = h.VerificationPassed,
                            cells,
                        };
                    }),
                }),
            });
        });

        group.MapGet("/lists.xlsx", async (ClaimsPrincipal user, HazardStore store, SiteDirectory directory, TimeProvider time, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var (lists, query, problem) = await ListsAsync(user, store, directory, time, request.Query, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var buffer = new MemoryStream();
            await XlsxExport.WriteAsync(lists!.Lists, buffer, cancellationToken);
            buffer.Position = 0;
            return Results.File(buffer, XlsxType, FileName("三清单", query!, directory, "xlsx"));
        });

        group.MapGet("/lists/{list}.csv", async (ClaimsPrincipal user, HazardStore store, SiteDirectory directory, TimeProvider time, HttpContext context, string list, CancellationToken cancellationToken) =>
        {
            var index = Array.IndexOf(ListKeys, list);
            if (index < 0)
            {
                return Problems.NotFound($"no list '{list}': problems, measures or responsibilities");
            }

            var (lists, query, problem) = await ListsAsync(user, store, directory, time, context.Request.Query, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var table = lists!.Lists.Tables()[index];
            var response = context.Response;
            response.ContentType = "text/csv; charset=utf-8";
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(FileName(table.Name, query!, directory, "csv"));
            response.Headers.ContentDisposition = disposition.ToString();
            await CsvExport.WriteAsync(table, response.Body, cancellationToken);
            return Results.Empty;
        });

        group.MapGet("/report", async (ClaimsPrincipal user, HazardStore store, IAlarms alarms, SiteDirectory directory, TimeProvider time, string? year, string? site, CancellationToken cancellationToken) =>
        {
            var (report, problem) = await ReportAsync(user, store, alarms, directory, time, year, site, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            return Results.Ok(new
            {
                year = report!.Year,
                site,
                siteName = site is null ? null : directory.NameOf(site) ?? site,
                timeZone = store.Zone.Id,
                schools = report.Schools.Select(Row),
                district = Row(report.District),
            });
        });

        group.MapGet("/report.xlsx", async (ClaimsPrincipal user, HazardStore store, IAlarms alarms, SiteDirectory directory, TimeProvider time, string? year, string? site, CancellationToken cancellationToken) =>
        {
            var (report, problem) = await ReportAsync(user, store, alarms, directory, time, year, site, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var buffer = new MemoryStream();
            await AnnualReportExport.WriteXlsxAsync(report!, buffer, cancellationToken);
            buffer.Position = 0;
            var school = ScopeName(site, site is not null ? [site] : user.SeesAllSites() ? null : user.Sites(), directory);
            return Results.File(buffer, XlsxType, string.Create(CultureInfo.InvariantCulture, $"年度报告_{school}_{report!.Year}.xlsx"));
        });
    }

    /// <summary>The three lists and the hazards they were made of.</summary>
    private sealed record Loaded(ThreeLists Lists, IReadOnlyList<Hazard> Hazards);

    /// <summary>A parsed list query: the schools to read and the filter; the period as given, for names and the page.</summary>
    private sealed record ListQuery(string? Site, IReadOnlyCollection<string>? Sites, HazardListFilter Filter, string? FromText, string? ToText, DateOnly? FromDay, DateOnly? LastDay);

    private static async Task<(Loaded? Lists, ListQuery? Query, IResult? Problem)> ListsAsync(
        ClaimsPrincipal user, HazardStore store, SiteDirectory directory, TimeProvider time, IQueryCollection q, CancellationToken cancellationToken)
    {
        var (query, problem) = ParseListQuery(user, store.Zone, q);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var f = query!.Filter;
        var hazards = await store.ListAsync(
            new HazardFilter { Sites = query.Sites, Site = f.Site, From = f.From, To = f.To, Category = f.Category, Status = f.Status, Risk = f.Risk, Limit = MaxRows + 1 },
            cancellationToken);
        if (hazards.Count > MaxRows)
        {
            return (null, null, Problems.BadRequest("from", $"the lists would have more than {MaxRows} rows: choose a school or a shorter period"));
        }

        var lists = ThreeLists.Build(hazards, f, store.Zone, time.GetUtcNow(), s => directory.NameOf(s) ?? s);
        return (new Loaded(lists, hazards), query, null);
    }

    private static (ListQuery? Query, IResult? Problem) ParseListQuery(ClaimsPrincipal user, TimeZoneInfo zone, IQueryCollection q)
    {
        static (ListQuery?, IResult?) Bad(string parameter, string detail) => (null, Problems.BadRequest(parameter, detail));
        var filter = new HazardListFilter();
        string? site = null;
        if (q["site"].ToString() is { Length: > 0 } s)
        {
            if (!Identifier.IsValid(s))
            {
                return Bad("site", $"'{s}' is not a site identifier");
            }

            site = s;
            filter = filter with { Site = s };
        }

        if (HazardQuery.Name<HazardCategory>(q, "category", HazardNames.TryParse, HazardQuery.Categories, out var category) is { } badCategory)
        {
            return (null, badCategory);
        }

        if (HazardQuery.Name<HazardStatus>(q, "status", HazardNames.TryParse, HazardQuery.Statuses, out var status) is { } badStatus)
        {
            return (null, badStatus);
        }

        if (HazardQuery.Name<RiskLevel>(q, "risk", HazardNames.TryParse, HazardQuery.Risks, out var risk) is { } badRisk)
        {
            return (null, badRisk);
        }

        filter = filter with { Category = category, Status = status, Risk = risk };

        var fromText = q["from"].ToString() is { Length: > 0 } ft ? ft : null;
        var toText = q["to"].ToString() is { Length: > 0 } tt ? tt : null;
        DateOnly? fromDay = null;
        DateOnly? lastDay = null;
        if (fromText is not null)
        {
            if (TryDay(fromText, out var day))
            {
                fromDay = day;
                filter = filter with { From = StartOf(day, zone) };
            }
            else if (Timestamps.TryParse(fromText, out var at))
            {
                fromDay = ListLabels.LocalDate(at, zone);
                filter = filter with { From = at };
            }
            else
            {
                return Bad("from", "from must be a date yyyy-MM-dd (the school's time zone) or an RFC 3339 time with an offset");
            }
        }

        if (toText is not null)
        {
            DateTimeOffset end;
            if (TryDay(toText, out var day))
            {
                lastDay = day;
                end = StartOf(day.AddDays(1), zone);
            }
            else if (Timestamps.TryParse(toText, out end))
            {
                lastDay = ListLabels.LocalDate(end.AddTicks(-1), zone);
            }
            else
            {
                return Bad("to", "to must be a date yyyy-MM-dd (the last day, the school's time zone) or an RFC 3339 time with an offset");
            }

            if (filter.From is { } start && end <= start)
            {
                return Bad("to", "to must be after from");
            }

            filter = filter with { To = end };
        }

        if (site is not null && !user.CanSeeSite(site))
        {
            return (null, Problems.Forbidden($"you have no access to {site}"));
        }

        IReadOnlyCollection<string>? sites = site is not null ? [site] : user.SeesAllSites() ? null : user.Sites();
        return (new ListQuery(site, sites, filter, fromText, toText, fromDay, lastDay), null);
    }

    private static async Task<(AnnualReport? Report, IResult? Problem)> ReportAsync(
        ClaimsPrincipal user, HazardStore store, IAlarms alarms, SiteDirectory directory, TimeProvider time, string? yearText, string? site, CancellationToken cancellationToken)
    {
        var zone = store.Zone;
        var now = time.GetUtcNow();
        var year = TimeZoneInfo.ConvertTime(now, zone).Year;
        if (yearText is not null
            && (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year) || year is < MinYear or > MaxYear))
        {
            return (null, Problems.BadRequest("year", $"year must be a calendar year {MinYear}..{MaxYear}"));
        }

        if (site is not null && !Identifier.IsValid(site))
        {
            return (null, Problems.BadRequest("site", $"'{site}' is not a site identifier"));
        }

        if (site is not null && !user.CanSeeSite(site))
        {
            return (null, Problems.Forbidden($"you have no access to {site}"));
        }

        IReadOnlyCollection<string>? sites = site is not null ? [site] : user.SeesAllSites() ? null : user.Sites();
        var from = StartOf(new DateOnly(year, 1, 1), zone);
        var to = StartOf(new DateOnly(year + 1, 1, 1), zone);
        var hazards = await store.ListAsync(new HazardFilter { Sites = sites, From = from, To = to, Limit = MaxRows + 1 }, cancellationToken);
        if (hazards.Count > MaxRows)
        {
            return (null, Problems.BadRequest("site", $"the report would read more than {MaxRows} hazards: choose one school"));
        }

        var raised = alarms.History(new AlarmHistoryQuery(from, to) { Sites = sites, Visible = user.CanSeeDevice, Limit = MaxAlarms });
        return (AnnualReport.Build(hazards, raised, year, zone, now, site, s => directory.NameOf(s) ?? s), null);
    }

    private static object Row(SchoolYear r) => new
    {
        site = r.Site.Length == 0 ? null : r.Site,
        school = r.School,
        registered = r.Registered,
        closed = r.Closed,
        closureRate = r.ClosureRate,
        withDeadline = r.WithDeadline,
        overdueOrLate = r.OverdueOrLate,
        overdueRate = r.OverdueRate,
        meanDaysToClose = r.MeanDaysToClose,
        byCategory = r.ByCategory.ToDictionary(p => p.Key.ToWire(), p => p.Value),
        byRisk = r.ByRisk.ToDictionary(p => p.Key.ToWire(), p => p.Value),
        byStatus = r.ByStatus.ToDictionary(p => p.Key.ToWire(), p => p.Value),
        alarms = r.Alarms,
        alarmsAcked = r.AlarmsAcked,
        meanSecondsToAck = r.MeanSecondsToAck,
        alarmsByRule = r.AlarmsByRule.Select(t =>
        {
            var (zh, en) = NotificationText.Rule(t.Rule);
            return new { rule = t.Rule, labelZh = zh, labelEn = en, count = t.Count, acked = t.Acked, meanSecondsToAck = t.MeanSecondsToAck };
        }),
    };

    /// <summary>Who a file is about: the school (its name), 全区 for every school, 所辖学校 for a user's several schools.</summary>
    private static string ScopeName(string? site, IReadOnlyCollection<string>? sites, SiteDirectory directory)
    {
        var one = site ?? (sites is { Count: 1 } ? sites.First() : null);
        return one is not null ? directory.NameOf(one) ?? one : sites is null ? "全区" : "所辖学校";
    }

    /// <summary><c>{what}_{school, 全区 or 所辖学校}_{first day}至{last day}.{ext}</c> (<c>全部时间</c> without a period), local dates.</summary>
    private static string FileName(string what, ListQuery query, SiteDirectory directory, string extension)
    {
        var school = ScopeName(query.Site, query.Sites, directory);
        var period = (query.FromDay, query.LastDay) switch
        {
            (null, null) => "全部时间",
            ({ } a, null) => $"{ListLabels.Date(a)}起",
            (null, { } b) => $"至{ListLabels.Date(b)}",
            ({ } a, { } b) => $"{ListLabels.Date(a)}至{ListLabels.Date(b)}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{what}_{school}_{period}.{extension}");
    }

    private static bool TryDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>The first moment of a local day in <paramref name="zone"/>.</summary>
    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
