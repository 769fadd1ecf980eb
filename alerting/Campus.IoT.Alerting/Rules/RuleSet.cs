using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Rules;

/// <summary>Which detector a rule runs.</summary>
public enum DetectorKind
{
    /// <summary>A level held for a duration, with its own clear band and duration (hysteresis).</summary>
    Level,

    /// <summary>Rise per minute over a window.</summary>
    RateOfRise,

    /// <summary>Value unchanged (within a tolerance) for a duration.</summary>
    Flatline,

    /// <summary>No reading for max(floor, multiple × expected interval).</summary>
    Offline,

    /// <summary>Robust z-score against the sensor's own history.</summary>
    Anomaly,
}

/// <summary>A band: below/above one-sided limits or a closed interval. Null sides are open.</summary>
public sealed record Band(double? Low, double? High)
{
    public bool Contains(double value) => (Low is not { } l || value >= l) && (High is not { } h || value <= h);

    public override string ToString() => $"{Low?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-∞"}..{High?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "+∞"}";
}

/// <summary>
/// One rule: which sensors (profile, metric), which detector with which parameters, the severity and escalation policy of
/// the alarm it raises. <see cref="Line"/> is where it was written (0 for a built-in rule).
/// </summary>
public sealed record Rule(string Name, string Profile, string Metric, DetectorKind Detector, AlarmSeverity Severity)
{
    /// <summary>Level: raise when the value is outside this band (e.g. a fridge outside 0..8 °C).</summary>
    public Band? RaiseWhenOutside { get; init; }

    /// <summary>Level: raise when the value is inside this band (e.g. "at or above 57 °C" is 57..+∞).</summary>
    public Band? RaiseWhenInside { get; init; }

    /// <summary>How long the raise condition must hold without a break.</summary>
    public TimeSpan RaiseFor { get; init; }

    /// <summary>Level: the clear condition is the value inside this band, for <see cref="ClearFor"/>.</summary>
    public Band? ClearWhenInside { get; init; }

    public TimeSpan ClearFor { get; init; }

    /// <summary>Rate of rise: °C (or unit) per minute at or above which it raises, the clear rate, the window.</summary>
    public double? RatePerMinute { get; init; }

    public double? ClearRatePerMinute { get; init; }

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Flatline tolerance; anomaly thresholds and minimum history.</summary>
    public double Tolerance { get; init; } = 0.01;

    public double RaiseZ { get; init; } = 6;

    public double ClearZ { get; init; } = 3;

    public int MinHistory { get; init; } = 60;

    /// <summary>Offline: floor and multiple of the expected interval.</summary>
    public TimeSpan OfflineFloor { get; init; } = TimeSpan.FromMinutes(5);

    public double IntervalMultiple { get; init; } = 3;

    /// <summary>The escalation policy (DESIGN: <c>fire</c> for fire alarms), or null for none.</summary>
    public string? Escalation { get; init; }

    public int Line { get; init; }

    /// <summary>True when the rule applies to a sensor of <paramref name="profile"/> measuring <paramref name="metric"/>.</summary>
    public bool AppliesTo(string? profile, string metric) =>
        metric == Metric && (Profile == "*" || string.Equals(Profile, profile, StringComparison.Ordinal));
}

/// <summary>Assigns a profile to devices by a glob on their id (and optionally their site).</summary>
public sealed record ProfileAssignment(string DevicePattern, string? SitePattern, string Profile)
{
    public int Line { get; init; }

    public bool Matches(string site, string device) => Glob.IsMatch(DevicePattern, device) && (SitePattern is null || Glob.IsMatch(SitePattern, site));
}

/// <summary>A validated set of rules, profile assignments and escalation policies; immutable, swapped whole on reload.</summary>
public sealed record RuleSet(IReadOnlyList<Rule> Rules, IReadOnlyList<ProfileAssignment> Assignments, string Source)
{
    /// <summary>Escalation policies by name: the built-in <c>fire</c> and any a rules file defines or replaces.</summary>
    public IReadOnlyDictionary<string, EscalationPolicy> Policies { get; init; } = EscalationPolicy.Defaults;

    public FlappingPolicy Flapping { get; init; } = FlappingPolicy.Default;

    /// <summary>The profile of a device: the first assignment that matches, else null (only "*" rules apply).</summary>
    public string? ProfileOf(string site, string device)
    {
        foreach (var assignment in Assignments)
        {
            if (assignment.Matches(site, device))
            {
                return assignment.Profile;
            }
        }

        return null;
    }

    /// <summary>The profiles the rules know, for validation of assignments.</summary>
    public IEnumerable<string> Profiles => Rules.Select(r => r.Profile).Where(p => p != "*").Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The defaults of DESIGN.md, used when no rules file is given and as the base a rules file extends: rate of rise and
    /// fixed heat on every temperature sensor, the four storage profiles, offline and stuck sensors.
    /// </summary>
    public static RuleSet Defaults { get; } = new(
        [
            new Rule("rate-of-rise", "*", Metrics.Temperature, DetectorKind.RateOfRise, AlarmSeverity.Critical)
            {
                RatePerMinute = 8.3, ClearRatePerMinute = 2, Window = TimeSpan.FromSeconds(60), ClearFor = TimeSpan.FromMinutes(5), Escalation = "fire",
            },
            new Rule("fixed-heat", "*", Metrics.Temperature, DetectorKind.Level, AlarmSeverity.Critical)
            {
                // Clears below 50 °C (strictly): the largest double under 50 is the inclusive bound.
                RaiseWhenInside = new Band(57, null), RaiseFor = TimeSpan.Zero, ClearWhenInside = new Band(null, Math.BitDecrement(50.0)), ClearFor = TimeSpan.FromMinutes(5), Escalation = "fire",
            },
            new Rule("cold-storage", "cold-storage", Metrics.Temperature, DetectorKind.Level, AlarmSeverity.Major)
            {
                RaiseWhenOutside = new Band(0, 8), RaiseFor = TimeSpan.FromMinutes(10), ClearWhenInside = new Band(0.5, 7.5), ClearFor = TimeSpan.FromMinutes(5),
            },
            new Rule("freezer", "freezer", Metrics.Temperature, DetectorKind.Level, AlarmSeverity.Major)
            {
                RaiseWhenOutside = new Band(null, -12), RaiseFor = TimeSpan.FromMinutes(15), ClearWhenInside = new Band(null, -13), ClearFor = TimeSpan.FromMinutes(5),
            },
            new Rule("lab-fridge", "lab-fridge", Metrics.Temperature, DetectorKind.Level, AlarmSeverity.Major)
            {
                RaiseWhenOutside = new Band(2, 8), RaiseFor = TimeSpan.FromMinutes(5), ClearWhenInside = new Band(2.5, 7.5), ClearFor = TimeSpan.FromMinutes(5),
            },
            new Rule("chem-store", "chem-store", Metrics.Temperature, DetectorKind.Level, AlarmSeverity.Major)
            {
                RaiseWhenOutside = new Band(null, 30), RaiseFor = TimeSpan.FromMinutes(10), ClearWhenInside = new Band(null, 28), ClearFor = TimeSpan.FromMinutes(10),
            },
            new Rule("sensor-offline", "*", "*", DetectorKind.Offline, AlarmSeverity.Warning) { OfflineFloor = TimeSpan.FromMinutes(5), IntervalMultiple = 3 },
            new Rule("sensor-stuck", "*", Metrics.Temperature, DetectorKind.Flatline, AlarmSeverity.Minor) { RaiseFor = TimeSpan.FromHours(6), Tolerance = 0.01 },
        ],
        [],
        "built-in defaults");
}

/// <summary>Shell-style globs for device and site ids: <c>*</c> any run of characters, <c>?</c> one character.</summary>
public static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
