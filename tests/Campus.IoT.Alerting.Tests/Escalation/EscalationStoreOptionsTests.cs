using Campus.IoT.Alerting.Escalation;

namespace Campus.IoT.Alerting.Tests.Escalation;

/// <summary><c>Campus:Escalation</c> is checked at start, every error listed at once.</summary>
public sealed class EscalationStoreOptionsTests
{
    [Fact]
    public void Without_a_connection_string_the_store_is_in_memory_and_nothing_else_is_checked()
    {
        var options = new EscalationStoreOptions { CheckinInterval = TimeSpan.Zero };
        Assert.False(options.Persistent);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void A_clustered_store_with_a_bad_connection_string_and_check_in_times_lists_every_error()
    {
        var options = new EscalationStoreOptions { ConnectionString = "Hots=db;;=x", CheckinInterval = TimeSpan.Zero, CheckinMisfireThreshold = TimeSpan.FromSeconds(-1) };
        Assert.True(options.Persistent);
        var errors = options.Validate().ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Campus:Escalation:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Campus:Escalation:CheckinInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Campus:Escalation:CheckinMisfireThreshold", StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_clustered_store_passes()
    {
        Assert.Empty(new EscalationStoreOptions { ConnectionString = "Host=db;Database=campus;Username=campus", InstanceId = "rules-1" }.Validate());
    }
}
