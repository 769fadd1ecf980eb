namespace Campus.IoT.Hazards;

/// <summary>
/// A list query over the registry (<c>GET /api/hazards</c>, exports, reports). Every member is optional; <see cref="Sites"/>
/// limits the result to the sites a user may see (null: every site). <see cref="From"/>/<see cref="To"/> bound when the hazard
/// was found, [from, to).
/// </summary>
internal sealed record HazardFilter
{
    public IReadOnlyCollection<string>? Sites { get; init; }

    public string? Site { get; init; }

    public HazardStatus? Status { get; init; }

    public HazardCategory? Category { get; init; }

    public RiskLevel? Risk { get; init; }

    public HazardSource? Source { get; init; }

    public bool? Overdue { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Text in the title, description or location.</summary>
    public string? Text { get; init; }

    public int Limit { get; init; } = 100;
}
