using System.Globalization;
using Campus.IoT.Telemetry;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Campus.IoT.Alerting.Rules;

/// <summary>A problem in a rules file: where (file, line, column) and why.</summary>
public sealed record RuleError(string Source, int Line, int Column, string Message)
{
    public override string ToString() => $"{Source}:{Line}:{Column}: {Message}";
}

/// <summary>What parsing a rules file gave: the rules, or every error found (then no rules).</summary>
public sealed record RulesParseResult(RuleSet? Rules, IReadOnlyList<RuleError> Errors);

/// <summary>
/// Reads a rules file (YAML, docs/rules.md): <c>rules</c> (each replaces a built-in rule of the same name or adds one),
/// <c>profiles</c> (device globs → profile) and <c>defaults: false</c> to start from nothing. Every syntax and semantic
/// error is reported with its line and column; a file with any error yields no rules.
/// </summary>
public static class RulesParser
{
    private static readonly Dictionary<string, DetectorKind> Detectors = new(StringComparer.Ordinal)
    {
        ["level"] = DetectorKind.Level,
        ["rate_of_rise"] = DetectorKind.RateOfRise,
        ["flatline"] = DetectorKind.Flatline,
        ["offline"] = DetectorKind.Offline,
        ["anomaly"] = DetectorKind.Anomaly,
    };

    private static readonly Dictionary<string, AlarmSeverity> Severities = new(StringComparer.Ordinal)
    {
        ["critical"] = AlarmSeverity.Critical,
        ["major"] = AlarmSeverity.Major,
        ["minor"] = AlarmSeverity.Minor,
        ["warning"] = AlarmSeverity.Warning,
    };

    public static RulesParseResult Parse(string yaml, string source)
    {
        var errors = new List<RuleError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            return new RulesParseResult(null, [new RuleError(source, (int)ex.Start.Line, (int)ex.Start.Column, $"YAML syntax: {ex.InnerException?.Message ?? ex.Message}")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var at = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            return new RulesParseResult(null, [Error(source, at, "the file must be a mapping with `rules:` and/or `profiles:`")]);
        }

        var useDefaults = true;
        var rules = new List<Rule>();
        var assignments = new List<ProfileAssignment>();
        var policies = new List<EscalationPolicy>();
        var flapping = FlappingPolicy.Default;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "defaults":
                    if (!TryBool(value, out useDefaults))
                    {
                        errors.Add(Error(source, value, "`defaults` must be true or false"));
                    }

                    break;
                case "rules":
                    foreach (var item in Sequence(source, value, "rules", errors))
                    {
                        if (ParseRule(source, item, errors) is { } rule)
                        {
                            rules.Add(rule);
                        }
                    }

                    break;
                case "profiles":
                    foreach (var item in Sequence(source, value, "profiles", errors))
                    {
                        if (ParseAssignment(source, item, errors) is { } assignment)
                        {
                            assignments.Add(assignment);
                        }
                    }

                    break;
                case "escalations":
                    foreach (var item in Sequence(source, value, "escalations", errors))
                    {
                        if (ParsePolicy(source, item, errors) is { } policy)
                        {
                            policies.Add(policy);
                        }
                    }

                    break;
                case "flapping":
                    flapping = ParseFlapping(source, value, errors) ?? flapping;
                    break;
                default:
                    errors.Add(Error(source, keyNode, $"unknown key `{key}` (expected defaults, rules, profiles, escalations, flapping)"));
                    break;
            }
        }

        foreach (var duplicate in rules.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var second = duplicate.Skip(1).First();
            errors.Add(new RuleError(source, second.Line, 1, $"rule `{duplicate.Key}` is defined more than once"));
        }

        foreach (var duplicate in policies.GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new RuleError(source, duplicate.Skip(1).First().Line, 1, $"escalation policy `{duplicate.Key}` is defined more than once"));
        }

        // A file's policy replaces the built-in one of the same name; `fire` always exists (fire events use it).
        var policySet = new Dictionary<string, EscalationPolicy>(EscalationPolicy.Defaults, StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            policySet[policy.Name] = policy;
        }

        foreach (var rule in rules.Where(r => r.Escalation is { } e && !policySet.ContainsKey(e)))
        {
            errors.Add(new RuleError(source, rule.Line, 1, $"rule `{rule.Name}`: no escalation policy `{rule.Escalation}` (known: {string.Join(", ", policySet.Keys.Order(StringComparer.Ordinal))})"));
        }

        var merged = useDefaults
            ? [.. RuleSet.Defaults.Rules.Where(d => rules.All(r => r.Name != d.Name)), .. rules]
            : rules;
        var known = merged.Select(r => r.Profile).ToHashSet(StringComparer.Ordinal);
        foreach (var a in assignments.Where(a => !known.Contains(a.Profile)))
        {
            errors.Add(new RuleError(source, a.Line, 1, $"profile `{a.Profile}` has no rule (known: {string.Join(", ", known.Where(p => p != "*").Order(StringComparer.Ordinal))})"));
        }

        return errors.Count > 0
            ? new RulesParseResult(null, errors)
            : new RulesParseResult(new RuleSet(merged, assignments, source) { Policies = policySet, Flapping = flapping }, []);
    }

    private static Rule? ParseRule(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(source, node, "a rule must be a mapping"));
            return null;
        }

        var before = errors.Count;
        var fields = Fields(source, map, ["name", "profile", "metric", "detector", "raise", "clear", "severity", "escalation"], errors);
        var name = Text(source, map, fields, "name", errors, required: true);
        var profile = Text(source, map, fields, "profile", errors, required: true);
        var metricText = Text(source, map, fields, "metric", errors, required: true);
        var detectorText = Text(source, map, fields, "detector", errors, required: true);
        var severityText = Text(source, map, fields, "severity", errors, required: true);
        var escalation = Text(source, map, fields, "escalation", errors, required: false);
        if (name is not null && !Identifier.IsValid(name))
        {
            errors.Add(Error(source, fields["name"], $"rule name `{name}` must match [a-z0-9][a-z0-9-]{{0,62}}"));
        }

        if (profile is not null && profile != "*" && !Identifier.IsValid(profile))
        {
            errors.Add(Error(source, fields["profile"], $"profile `{profile}` must be `*` or match [a-z0-9][a-z0-9-]{{0,62}}"));
        }

        string? metric = null;
        if (metricText is not null && metricText != "*" && !Metrics.TryNormalize(metricText, out metric))
        {
            errors.Add(Error(source, fields["metric"], $"unknown metric `{metricText}` (one of {string.Join(", ", Metrics.All)}, or `*` for offline)"));
        }

        metric ??= metricText;
        DetectorKind detector = default;
        if (detectorText is not null && !Detectors.TryGetValue(detectorText, out detector))
        {
            errors.Add(Error(source, fields["detector"], $"unknown detector `{detectorText}` (one of {string.Join(", ", Detectors.Keys)})"));
            return null;
        }

        AlarmSeverity severity = default;
        if (severityText is not null && !Severities.TryGetValue(severityText, out severity))
        {
            errors.Add(Error(source, fields["severity"], $"unknown severity `{severityText}` (one of {string.Join(", ", Severities.Keys)})"));
        }

        if (metric == "*" && detector != DetectorKind.Offline)
        {
            errors.Add(Error(source, fields["metric"], "metric `*` is only for the offline detector"));
        }

        if (name is null || profile is null || metric is null || detectorText is null || severityText is null)
        {
            return null;
        }

        var raise = fields.TryGetValue("raise", out var r) ? r as YamlMappingNode : null;
        var clear = fields.TryGetValue("clear", out var c) ? c as YamlMappingNode : null;
        var rule = new Rule(name, profile, metric, detector, severity) { Escalation = escalation, Line = (int)map.Start.Line };
        rule = detector switch
        {
            DetectorKind.Level => Level(source, map, rule, raise, clear, errors),
            DetectorKind.RateOfRise => RateOfRise(source, map, rule, raise, clear, errors),
            DetectorKind.Flatline => rule with
            {
                RaiseFor = Duration(source, raise, "for", errors, required: true) ?? TimeSpan.Zero,
                Tolerance = Number(source, raise, "tolerance", errors, required: false) ?? 0.01,
            },
            DetectorKind.Offline => rule with
            {
                OfflineFloor = Duration(source, raise, "after", errors, required: false) ?? TimeSpan.FromMinutes(5),
                IntervalMultiple = Number(source, raise, "intervals", errors, required: false) ?? 3,
            },
            _ => rule with
            {
                RaiseZ = Number(source, raise, "z", errors, required: false) ?? 6,
                ClearZ = Number(source, clear, "z", errors, required: false) ?? 3,
                MinHistory = (int)(Number(source, raise, "history", errors, required: false) ?? 60),
            },
        };
        if (detector is DetectorKind.Flatline or DetectorKind.Offline or DetectorKind.RateOfRise or DetectorKind.Anomaly && raise is null)
        {
            errors.Add(Error(source, map, $"rule `{name}`: `raise:` is required for the {detectorText} detector"));
        }

        if (detector == DetectorKind.Anomaly && rule.ClearZ >= rule.RaiseZ)
        {
            errors.Add(Error(source, clear ?? (YamlNode)map, $"rule `{name}`: the clear z ({rule.ClearZ}) must be below the raise z ({rule.RaiseZ})"));
        }

        return errors.Count == before ? rule : null;
    }

    private static Rule Level(string source, YamlMappingNode map, Rule rule, YamlMappingNode? raise, YamlMappingNode? clear, List<RuleError> errors)
    {
        if (raise is null || clear is null)
        {
            errors.Add(Error(source, map, $"rule `{rule.Name}`: a level rule needs `raise:` and `clear:` (the clear band gives the hysteresis)"));
            return rule;
        }

        var (raiseOutside, raiseInside) = RaiseBand(source, raise, errors);
        var clearInside = ClearBand(source, clear, errors);
        var result = rule with
        {
            RaiseWhenOutside = raiseOutside,
            RaiseWhenInside = raiseInside,
            RaiseFor = Duration(source, raise, "for", errors, required: false) ?? TimeSpan.Zero,
            ClearWhenInside = clearInside,
            ClearFor = Duration(source, clear, "for", errors, required: true) ?? TimeSpan.Zero,
        };
        if (clearInside is null)
        {
            return result;
        }

        // Hysteresis: the clear band must lie strictly in the normal region, or the alarm could raise and clear at once.
        if (raiseOutside is { } normal && !(Within(clearInside.Low, normal.Low, lower: true) && Within(clearInside.High, normal.High, lower: false)))
        {
            errors.Add(Error(source, clear, $"rule `{rule.Name}`: the clear band {clearInside} must lie inside the normal band {normal}"));
        }

        if (raiseInside is { } alarm && Overlaps(clearInside, alarm))
        {
            errors.Add(Error(source, clear, $"rule `{rule.Name}`: the clear band {clearInside} overlaps the alarm band {alarm}"));
        }

        return result;
    }

    private static bool Within(double? inner, double? outer, bool lower) =>
        outer is not { } o || (inner is { } i && (lower ? i >= o : i <= o));

    private static bool Overlaps(Band a, Band b) =>
        (a.Low is not { } al || b.High is not { } bh || al <= bh) && (b.Low is not { } bl || a.High is not { } ah || bl <= ah);

    private static Rule RateOfRise(string source, YamlMappingNode map, Rule rule, YamlMappingNode? raise, YamlMappingNode? clear, List<RuleError> errors)
    {
        var result = rule with
        {
            RatePerMinute = Number(source, raise, "per_minute", errors, required: true),
            Window = Duration(source, raise, "window", errors, required: false) ?? TimeSpan.FromSeconds(60),
            ClearRatePerMinute = Number(source, clear, "per_minute", errors, required: false) ?? 2,
            ClearFor = Duration(source, clear, "for", errors, required: false) ?? TimeSpan.FromMinutes(5),
        };
        if (result.RatePerMinute is { } up && result.ClearRatePerMinute is { } down && down >= up)
        {
            errors.Add(Error(source, clear ?? (YamlNode)map, $"rule `{rule.Name}`: the clear rate ({down}/min) must be below the raise rate ({up}/min)"));
        }

        if (result.Window > Detection.RateOfRise.MaxWindow)
        {
            errors.Add(Error(source, raise ?? (YamlNode)map, $"rule `{rule.Name}`: the window may be at most 1d"));
        }

        return result;
    }

    private static (Band? Outside, Band? Inside) RaiseBand(string source, YamlMappingNode raise, List<RuleError> errors)
    {
        var fields = Fields(source, raise, ["outside", "inside", "above", "below", "at_or_above", "at_or_below", "for"], errors);
        var given = fields.Keys.Where(k => k != "for").ToList();
        if (given.Count != 1)
        {
            errors.Add(Error(source, raise, "`raise:` of a level rule needs exactly one of outside, inside, above, below, at_or_above, at_or_below"));
            return (null, null);
        }

        var node = fields[given[0]];
        return given[0] switch
        {
            "outside" => (Pair(source, node, errors), null),
            "inside" => (null, Pair(source, node, errors)),
            "above" => (new Band(null, Scalar(source, node, errors)), null),       // alarm when > x: outside (-inf, x]
            "below" => (new Band(Scalar(source, node, errors), null), null),       // alarm when < x: outside [x, +inf)
            "at_or_above" => (null, new Band(Scalar(source, node, errors), null)),
            _ => (null, new Band(null, Scalar(source, node, errors))),
        };
    }

    private static Band? ClearBand(string source, YamlMappingNode clear, List<RuleError> errors)
    {
        var fields = Fields(source, clear, ["inside", "at_or_above", "at_or_below", "below", "above", "for"], errors);
        var given = fields.Keys.Where(k => k != "for").ToList();
        if (given.Count != 1)
        {
            errors.Add(Error(source, clear, "`clear:` of a level rule needs exactly one of inside, at_or_above, at_or_below, below, above"));
            return null;
        }

        var node = fields[given[0]];
        return given[0] switch
        {
            "inside" => Pair(source, node, errors),
            "at_or_above" => new Band(Scalar(source, node, errors), null),
            "above" => Scalar(source, node, errors) is { } above ? new Band(Math.BitIncrement(above), null) : null,   // > x
            "below" => Scalar(source, node, errors) is { } below ? new Band(null, Math.BitDecrement(below)) : null,   // < x
            _ => new Band(null, Scalar(source, node, errors)),
        };
    }

    /// <summary>
    /// An escalation policy: <c>name</c>, <c>levels</c> (each <c>after</c> a duration from the raise and <c>notify</c> a list of
    /// recipient names; the first level is the raise itself, after 0s; later ones strictly later) and an optional
    /// <c>repeat</c> interval.
    /// </summary>
    private static EscalationPolicy? ParsePolicy(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(source, node, "an escalation policy must be a mapping"));
            return null;
        }

        var before = errors.Count;
        var fields = Fields(source, map, ["name", "levels", "repeat"], errors);
        var name = Text(source, map, fields, "name", errors, required: true);
        if (name is not null && !Identifier.IsValid(name))
        {
            errors.Add(Error(source, fields["name"], $"policy name `{name}` must match [a-z0-9][a-z0-9-]{{0,62}}"));
        }

        var repeat = Duration(source, map, "repeat", errors, required: false);
        if (repeat is { } every && every < TimeSpan.FromSeconds(30))
        {
            errors.Add(Error(source, fields["repeat"], $"`repeat` must be at least 30s (got {every.TotalSeconds:0}s): a shorter repeat is a notification flood"));
        }

        var levels = new List<EscalationLevel>();
        if (!fields.TryGetValue("levels", out var levelsNode))
        {
            errors.Add(Error(source, map, "`levels` is required"));
        }
        else
        {
            foreach (var item in Sequence(source, levelsNode, "levels", errors))
            {
                if (item is not YamlMappingNode level)
                {
                    errors.Add(Error(source, item, "a level must be a mapping with `after` and `notify`"));
                    continue;
                }

                var levelFields = Fields(source, level, ["after", "notify"], errors);
                var after = Duration(source, level, "after", errors, required: true);
                var recipients = new List<string>();
                if (!levelFields.TryGetValue("notify", out var notify) || notify is not YamlSequenceNode { Children.Count: > 0 } list)
                {
                    errors.Add(Error(source, levelFields.GetValueOrDefault("notify") ?? level, "`notify` must be a non-empty list of recipient names"));
                }
                else
                {
                    foreach (var recipient in list.Children)
                    {
                        if (recipient is YamlScalarNode { Value: { } who } && Identifier.IsValid(who))
                        {
                            recipients.Add(who);
                        }
                        else
                        {
                            errors.Add(Error(source, recipient, "a recipient must be a name matching [a-z0-9][a-z0-9-]{0,62} (its addresses are configured under Campus:Notify:Recipients)"));
                        }
                    }
                }

                if (after is { } at)
                {
                    if (levels.Count == 0 && at != TimeSpan.Zero)
                    {
                        errors.Add(Error(source, level, "the first level is the raise itself: its `after` must be 0s"));
                    }
                    else if (levels.Count > 0 && at <= levels[^1].After)
                    {
                        errors.Add(Error(source, level, $"level {levels.Count} (after {at.TotalSeconds:0}s) must come later than level {levels.Count - 1} (after {levels[^1].After.TotalSeconds:0}s)"));
                    }

                    levels.Add(new EscalationLevel(at, recipients));
                }
            }
        }

        return errors.Count == before && name is not null && levels.Count > 0
            ? new EscalationPolicy(name, levels, repeat) { Line = (int)map.Start.Line }
            : null;
    }

    /// <summary><c>flapping: { raises: 4, within: 10m, settle: 5m }</c>.</summary>
    private static FlappingPolicy? ParseFlapping(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(source, node, "`flapping` must be a mapping with raises, within, settle"));
            return null;
        }

        var before = errors.Count;
        var fields = Fields(source, map, ["raises", "within", "settle"], errors);
        var raises = Number(source, map, "raises", errors, required: true);
        var within = Duration(source, map, "within", errors, required: true);
        var settle = Duration(source, map, "settle", errors, required: true);
        if (raises is { } n && (n < 2 || n > 64 || n != Math.Floor(n)))
        {
            errors.Add(Error(source, fields["raises"], "`raises` must be a whole number from 2 to 64"));
        }

        return errors.Count == before && raises is { } count && within is { } w && settle is { } s
            ? new FlappingPolicy((int)count, w, s) { Line = (int)map.Start.Line }
            : null;
    }

    private static ProfileAssignment? ParseAssignment(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(source, node, "a profile assignment must be a mapping"));
            return null;
        }

        var before = errors.Count;
        var fields = Fields(source, map, ["devices", "site", "profile"], errors);
        var devices = Text(source, map, fields, "devices", errors, required: true);
        var site = Text(source, map, fields, "site", errors, required: false);
        var profile = Text(source, map, fields, "profile", errors, required: true);
        return errors.Count == before && devices is not null && profile is not null
            ? new ProfileAssignment(devices, site, profile) { Line = (int)fields["profile"].Start.Line }
            : null;
    }

    private static IEnumerable<YamlNode> Sequence(string source, YamlNode node, string key, List<RuleError> errors)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children;
        }

        errors.Add(Error(source, node, $"`{key}` must be a list"));
        return [];
    }

    private static Dictionary<string, YamlNode> Fields(string source, YamlMappingNode map, string[] allowed, List<RuleError> errors)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(key))
            {
                errors.Add(Error(source, k, $"unknown key `{key}` (expected {string.Join(", ", allowed)})"));
                continue;
            }

            fields[key] = v;
        }

        return fields;
    }

    private static string? Text(string source, YamlMappingNode map, Dictionary<string, YamlNode> fields, string key, List<RuleError> errors, bool required)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            if (required)
            {
                errors.Add(Error(source, map, $"`{key}` is required"));
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { Length: > 0 } text })
        {
            return text;
        }

        errors.Add(Error(source, node, $"`{key}` must be a non-empty text"));
        return null;
    }

    private static double? Number(string source, YamlMappingNode? map, string key, List<RuleError> errors, bool required)
    {
        if (map is null || !map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            if (required)
            {
                errors.Add(Error(source, map, $"`{key}` is required"));
            }

            return null;
        }

        return Scalar(source, node, errors);
    }

    private static double? Scalar(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        errors.Add(Error(source, node, "must be a number"));
        return null;
    }

    private static Band? Pair(string source, YamlNode node, List<RuleError> errors)
    {
        if (node is not YamlSequenceNode { Children.Count: 2 } pair)
        {
            errors.Add(Error(source, node, "must be a pair [low, high] (either may be null)"));
            return null;
        }

        double? Side(YamlNode side) => side is YamlScalarNode { Value: null or "null" or "~" or "" } ? null : Scalar(source, side, errors);
        var band = new Band(Side(pair.Children[0]), Side(pair.Children[1]));
        if (band is { Low: { } lo, High: { } hi } && lo > hi)
        {
            errors.Add(Error(source, node, $"low {lo} is above high {hi}"));
        }

        return band;
    }

    private static TimeSpan? Duration(string source, YamlMappingNode? map, string key, List<RuleError> errors, bool required)
    {
        if (map is null || !map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            if (required)
            {
                errors.Add(Error(source, map, $"`{key}` is required (a duration such as 90s, 10m, 6h, 1d)"));
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { Length: >= 2 } text }
            && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && text[^1] switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L } is var scale and > 0
            && count <= 366L * 86400 / scale)
        {
            return TimeSpan.FromSeconds(count * scale);
        }

        errors.Add(Error(source, node, $"`{key}` must be a duration such as 90s, 10m, 6h, 1d"));
        return null;
    }

    private static bool TryBool(YamlNode node, out bool value)
    {
        value = true;
        return node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out value);
    }

    private static RuleError Error(string source, YamlNode? node, string message) =>
        new(source, node is null ? 1 : (int)node.Start.Line, node is null ? 1 : (int)node.Start.Column, message);
}
