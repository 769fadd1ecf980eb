namespace Campus.IoT.Hazards;

/// <summary>The repeat rule of the alarm feed: the same device raising <see cref="Count"/> alarms within <see cref="Days"/> days opens a hazard.</summary>
public sealed class AlarmRepeatOptions
{
    public int Count { get; set; } = 3;

    public int Days { get; set; } = 7;
}
