using System.Security.Claims;
using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Ingest.Storage;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// <c>GET /api/rooms?site=</c>: the monitored rooms (cold stores, freezers, lab fridges, chemical stores: devices whose
/// profile is a storage profile or has a level rule on temperature) the user may see, each with its current value, today's
/// lowest and highest reading and minutes out of range (<see cref="RoomDay"/>), its limit band and any open alarm.
/// </summary>
internal static partial class RoomEndpoints
{
    /// <summary>The storage profiles of the built-in rules (docs/rules.md).</summary>
    public static readonly string[] StorageProfiles = ["cold-storage", "freezer", "lab-fridge", "chem-store"];

    /// <summary>Alarms that still mean something on a room's card: active or unacknowledged, shelved, in maintenance.</summary>
    private static readonly AlarmState[] OpenStates = [AlarmState.ActiveUnack, AlarmState.ActiveAck, AlarmState.ClearedUnack, AlarmState.Shelved, AlarmState.Suppressed];

    public static void MapRoomEndpoints(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/rooms", async (ClaimsPrincipal user, DeviceDirectory directory, SiteDirectory sites, RulesProvider rules, IAlarms alarms, ITimeSeriesStore store, SchoolTimeZone zone, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken, string? site) =>
        {
            if (site is not null && !Identifier.IsValid(site))
            {
                return Problems.BadRequest("site", $"'{site}' is not a site identifier");
            }

            if (site is not null && !user.CanSeeSite(site))
            {
                return Problems.Forbidden($"you have no access to {site}");
            }

            var ruleSet = rules.Current;
            var now = time.GetUtcNow();
            var dayStart = zone.StartOfDay(now);
            var (from, to) = RoomDay.Range(dayStart, now);
            var open = alarms.Query(OpenStates, site, 5000).Where(a => a.Device is not null).ToLookup(a => (a.Site, a.Device!));
            var rooms = new List<RoomDto>();
            foreach (var device in directory.Devices(site))
            {
                if (!user.CanSeeDevice(device.Site, device.Device) || ruleSet.ProfileOf(device.Site, device.Device) is not { } profile)
                {
                    continue;
                }

                var rule = LevelRule(ruleSet, profile);
                if (rule is null && !StorageProfiles.Contains(profile, StringComparer.Ordinal))
                {
                    continue;
                }

                var metric = rule?.Metric ?? Metrics.Temperature;
                RoomDay.Today? today = null;
                try
                {
                    var minutes = await store.QueryAsync(new HistoryQuery(device.Device, metric, device.Site, from, to, RoomDay.Step, RoomDay.Limit), cancellationToken);
                    today = RoomDay.Compute(minutes, dayStart, now, rule);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store is away (InfluxDB down): the card still shows the current value and the band.
                    LogHistoryFailed(loggers.CreateLogger(typeof(RoomEndpoints)), device.Site, device.Device, ex.Message);
                }

                device.Metrics.TryGetValue(metric, out var current);
                rooms.Add(new RoomDto(
                    device.Site,
                    device.Gateway,
                    device.Device,
                    profile,
                    metric,
                    Metrics.UnitOf(metric),
                    rule?.Name,
                    current?.Value,
                    current is null ? null : Timestamps.Format(current.Ts),
                    Timestamps.Format(device.LastSeen),
                    current is null || rule is null ? null : !RoomDay.OutOfRange(rule, current.Value),
                    BandDto.From(rule?.RaiseWhenOutside),
                    BandDto.From(rule?.RaiseWhenInside),
                    rule is null ? null : (long)rule.RaiseFor.TotalSeconds,
                    today is null ? null : new TodayDto(today.Min, today.Max, today.Count, today.MinutesOutOfRange),
                    [.. open[(device.Site, device.Device)].OrderBy(a => a.Severity).ThenByDescending(a => a.RaisedAt).Select(a => new RoomAlarmDto(a.Id, a.Rule, a.State.ToWire(), a.Severity.ToWire(), Timestamps.Format(a.RaisedAt)))],
                    sites.NameOf(device.Site),
                    sites.LocationOf(device.Site, device.Device)));
            }

            return Results.Ok(new RoomsDto(zone.Id, (int)zone.Zone.GetUtcOffset(now).TotalMinutes, Timestamps.Format(now), Timestamps.Format(dayStart), rooms));
        });

    /// <summary>The profile's own level rule on temperature (a rule for every profile, <c>*</c>, is not a room's band).</summary>
    internal static Rule? LevelRule(RuleSet rules, string profile) =>
        rules.Rules.FirstOrDefault(r => r.Detector == DetectorKind.Level && r.Metric == Metrics.Temperature
            && string.Equals(r.Profile, profile, StringComparison.Ordinal) && (r.RaiseWhenOutside ?? r.RaiseWhenInside) is not null);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Today's readings of {Site}/{Device} could not be read for the room page: {Error}")]
    private static partial void LogHistoryFailed(ILogger logger, string site, string device, string error);
}

/// <summary>The answer of <c>GET /api/rooms</c>: the school's time zone and its offset now, the server's clock, the start of today.</summary>
internal sealed record RoomsDto(string TimeZone, int UtcOffsetMinutes, string Now, string DayStart, IReadOnlyList<RoomDto> Rooms);

/// <summary>
/// One monitored room (a device). <c>InBand</c>: the current value against the rule (null without either);
/// <c>RaiseForSeconds</c>: how long out of band before the rule raises; <c>Today</c>: null when the store could not be read;
/// <c>SiteName</c> and <c>Location</c>: the school's name and the room's place from <c>Campus:Sites</c> (null when not configured).
/// </summary>
internal sealed record RoomDto(
    string Site,
    string Gateway,
    string Device,
    string Profile,
    string Metric,
    string Unit,
    string? Rule,
    double? Value,
    string? Ts,
    string LastSeen,
    bool? InBand,
    BandDto? RaiseWhenOutside,
    BandDto? RaiseWhenInside,
    long? RaiseForSeconds,
    TodayDto? Today,
    IReadOnlyList<RoomAlarmDto> Alarms,
    string? SiteName,
    string? Location);

/// <summary>A band; a null side is open.</summary>
internal sealed record BandDto(double? Low, double? High)
{
    public static BandDto? From(Band? band) => band is null ? null : new BandDto(band.Low, band.High);
}

internal sealed record TodayDto(double? Min, double? Max, long Count, long MinutesOutOfRange);

internal sealed record RoomAlarmDto(string Id, string Rule, string State, string Severity, string RaisedAt);
