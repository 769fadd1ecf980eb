using Campus.IoT.Alerting.Rules;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Campus.IoT.Alerting.Tests.Rules;

public sealed class RulesTests : IDisposable
{
    private const string Valid = """
        # Canteen and lab rules for school-01
        rules:
          - name: cold-storage            # replaces the built-in rule of the same name
            profile: cold-storage
            metric: temperature
            detector: level
            raise: { outside: [1, 7], for: 15m }
            clear: { inside: [1.5, 6.5], for: 5m }
            severity: major
          - name: server-room-heat
            profile: server-room
            metric: temperature
            detector: level
            raise: { above: 35, for: 2m }
            clear: { at_or_below: 32, for: 10m }
            severity: minor
          - name: humidity-anomaly
            profile: archive
            metric: humidity
            detector: anomaly
            raise: { z: 5, history: 120 }
            clear: { z: 2 }
            severity: warning
        profiles:
          - devices: "canteen-fridge-*"
            profile: cold-storage
          - devices: "rack-?"
            site: "school-0*"
            profile: server-room
          - devices: "archive-*"
            profile: archive
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("campus-rules-").FullName;

    [Fact]
    public void The_built_in_defaults_are_the_profiles_of_the_design()
    {
        var rules = RuleSet.Defaults.Rules.ToDictionary(r => r.Name);
        Assert.Equal(new Band(0, 8), rules["cold-storage"].RaiseWhenOutside);
        Assert.Equal(new Band(0.5, 7.5), rules["cold-storage"].ClearWhenInside);
        Assert.Equal(TimeSpan.FromMinutes(10), rules["cold-storage"].RaiseFor);
        Assert.Equal(new Band(null, -12), rules["freezer"].RaiseWhenOutside);
        Assert.Equal(new Band(2, 8), rules["lab-fridge"].RaiseWhenOutside);
        Assert.Equal(new Band(null, 30), rules["chem-store"].RaiseWhenOutside);
        Assert.Equal(new Band(57, null), rules["fixed-heat"].RaiseWhenInside);
        Assert.Equal(8.3, rules["rate-of-rise"].RatePerMinute);
        Assert.Equal("fire", rules["rate-of-rise"].Escalation);
        Assert.Equal(TimeSpan.FromHours(6), rules["sensor-stuck"].RaiseFor);
        Assert.Equal(AlarmSeverity.Warning, rules["sensor-offline"].Severity);
        Assert.DoesNotContain(RuleSet.Defaults.Rules, r => r.Detector == DetectorKind.Anomaly);   // on for no profile by default
    }

    [Fact]
    public void A_rules_file_replaces_adds_and_assigns_profiles_on_top_of_the_defaults()
    {
        var result = RulesParser.Parse(Valid, "rules.yaml");
        Assert.Empty(result.Errors);
        var set = result.Rules!;
        var rules = set.Rules.ToDictionary(r => r.Name);
        Assert.Equal(new Band(1, 7), rules["cold-storage"].RaiseWhenOutside);
        Assert.Equal(3, rules["cold-storage"].Line);
        Assert.Equal(new Band(null, 35), rules["server-room-heat"].RaiseWhenOutside);
        Assert.Equal(new Band(null, 32), rules["server-room-heat"].ClearWhenInside);
        Assert.Equal((5.0, 2.0, 120), (rules["humidity-anomaly"].RaiseZ, rules["humidity-anomaly"].ClearZ, rules["humidity-anomaly"].MinHistory));
        Assert.Contains("freezer", rules.Keys);                         // defaults kept
        Assert.Equal(RuleSet.Defaults.Rules.Count + 2, set.Rules.Count);

        Assert.Equal("cold-storage", set.ProfileOf("school-01", "canteen-fridge-2"));
        Assert.Equal("server-room", set.ProfileOf("school-01", "rack-3"));
        Assert.Null(set.ProfileOf("school-11", "rack-3"));              // site glob school-0*
        Assert.Null(set.ProfileOf("school-01", "rack-12"));             // ? is one character
        Assert.Contains(set.Rules, r => r.AppliesTo("cold-storage", "temperature") && r.Name == "cold-storage");
        Assert.Contains(set.Rules, r => r.AppliesTo(null, "temperature") && r.Name == "fixed-heat");
    }

    [Fact]
    public void Defaults_false_starts_from_nothing()
    {
        var result = RulesParser.Parse("defaults: false\n" + Valid, "rules.yaml");
        Assert.Equal(["cold-storage", "server-room-heat", "humidity-anomaly"], result.Rules!.Rules.Select(r => r.Name));
    }

    [Fact]
    public void A_syntax_error_is_reported_with_its_line()
    {
        var result = RulesParser.Parse("rules:\n  - name: a\n    profile: [unclosed\n", "bad.yaml");
        Assert.Null(result.Rules);
        var error = Assert.Single(result.Errors);
        Assert.Equal("bad.yaml", error.Source);
        Assert.InRange(error.Line, 3, 4);
        Assert.Contains("YAML syntax", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_semantic_error_is_reported_with_its_line_and_no_rules_come_out()
    {
        const string yaml = """
            rules:
              - name: fridge
                profile: cold-storage
                metric: temprature
                detector: level
                raise: { outside: [0, 8], for: 10m }
                clear: { inside: [0.5, 7.5], for: 5m }
                severity: major
              - name: hot
                profile: boiler
                metric: temperature
                detector: level
                raise: { above: 80, for: ten minutes }
                clear: { at_or_below: 85, for: 5m }
                severity: major
              - name: rise
                profile: "*"
                metric: temperature
                detector: rate_of_rise
                raise: { per_minute: 5 }
                clear: { per_minute: 6 }
                severity: critical
              - name: odd
                profile: x
                metric: temperature
                detector: magic
                severity: major
              - name: hot
                profile: boiler
                metric: temperature
                detector: flatline
                raise: { for: 1h }
                severity: urgent
                colour: red
            profiles:
              - devices: "boiler-*"
                profile: boilr
            """;
        var result = RulesParser.Parse(yaml, "rules.yaml");
        Assert.Null(result.Rules);
        var lines = result.Errors.Select(e => (e.Line, e.Message)).ToList();
        var all = string.Join("\n", lines);
        void Has(int line, string text) => Assert.True(lines.Any(e => e.Line == line && e.Message.Contains(text, StringComparison.Ordinal)), $"no error at line {line} with '{text}' in:\n{all}");
        Has(4, "unknown metric `temprature`");
        Has(13, "`for` must be a duration");
        Has(14, "must lie inside the normal band");
        Has(21, "clear rate (6/min) must be below");
        Has(26, "unknown detector `magic`");
        Has(33, "unknown severity `urgent`");
        Has(34, "unknown key `colour`");
        Has(37, "profile `boilr` has no rule");
    }

    [Fact]
    public void A_rate_of_rise_window_longer_than_a_day_is_an_error()
    {
        const string yaml = """
            rules:
              - name: slow-rise
                profile: "*"
                metric: temperature
                detector: rate_of_rise
                raise: { per_minute: 3, window: 2d }
                severity: minor
            """;
        var result = RulesParser.Parse(yaml, "rules.yaml");
        Assert.Null(result.Rules);
        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Contains("window may be at most 1d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_reload_keeps_the_previous_rules_and_a_good_one_replaces_them()
    {
        var path = Path.Combine(_directory, "rules.yaml");
        File.WriteAllText(path, Valid);
        using var provider = new RulesProvider(path, NullLogger<RulesProvider>.Instance);
        Assert.Equal(path, provider.Current.Source);
        Assert.Equal(new Band(1, 7), provider.Current.Rules.Single(r => r.Name == "cold-storage").RaiseWhenOutside);

        File.WriteAllText(path, Valid.Replace("outside: [1, 7]", "outside: [1, 7", StringComparison.Ordinal));
        Assert.False(provider.Reload());
        Assert.Equal(new Band(1, 7), provider.Current.Rules.Single(r => r.Name == "cold-storage").RaiseWhenOutside);
        Assert.NotEmpty(provider.LastErrors);
        Assert.All(provider.LastErrors, e => Assert.Equal(path, e.Source));

        File.WriteAllText(path, Valid.Replace("outside: [1, 7]", "outside: [0, 6]", StringComparison.Ordinal).Replace("inside: [1.5, 6.5]", "inside: [0.5, 5.5]", StringComparison.Ordinal));
        Assert.True(provider.Reload());
        Assert.Equal(new Band(0, 6), provider.Current.Rules.Single(r => r.Name == "cold-storage").RaiseWhenOutside);
        Assert.Empty(provider.LastErrors);
    }

    [Fact]
    public async Task Saving_the_file_reloads_it_by_itself()
    {
        var path = Path.Combine(_directory, "rules.yaml");
        File.WriteAllText(path, Valid);
        using var provider = new RulesProvider(path, NullLogger<RulesProvider>.Instance);
        var changed = new TaskCompletionSource<RuleSet>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Changed += set => changed.TrySetResult(set);

        File.WriteAllText(path, Valid.Replace("above: 35", "above: 33", StringComparison.Ordinal).Replace("at_or_below: 32", "at_or_below: 30", StringComparison.Ordinal));

        var reloaded = await changed.Task.WaitAsync(Eventually.DefaultTimeout);
        Assert.Equal(new Band(null, 33), reloaded.Rules.Single(r => r.Name == "server-room-heat").RaiseWhenOutside);
    }

    [Fact]
    public void Without_a_file_the_defaults_are_in_force()
    {
        using var provider = new RulesProvider(null, NullLogger<RulesProvider>.Instance);
        Assert.Same(RuleSet.Defaults, provider.Current);
        Assert.False(provider.Reload());
    }

    [Theory]
    [InlineData("lab3-fridge-*", "lab3-fridge-1", true)]
    [InlineData("lab3-fridge-*", "lab3-freezer-1", false)]
    [InlineData("*-fridge-?", "canteen-fridge-2", true)]
    [InlineData("*", "anything", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    public void Globs(string pattern, string text, bool match) => Assert.Equal(match, Glob.IsMatch(pattern, text));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
