namespace Campus.IoT.Hazards;

/// <summary>A new hazard as a person registers it (登记); the store sets status, times, version and the audit row.</summary>
internal sealed record HazardDraft
{
    public required string Site { get; init; }

    public string? Location { get; init; }

    public string? Device { get; init; }

    public HazardCategory Category { get; init; }

    public HazardSource Source { get; init; }

    public required string Title { get; init; }

    public required string Description { get; init; }

    public RiskLevel Risk { get; init; }

    /// <summary>When it was found; now when absent.</summary>
    public DateTimeOffset? FoundAt { get; init; }

    public required string FoundBy { get; init; }

    public string? Measures { get; init; }

    public decimal? Funds { get; init; }

    public string? ResponsibleUnit { get; init; }

    public string? ResponsiblePerson { get; init; }

    public DateOnly? Deadline { get; init; }

    public string? Reinspector { get; init; }
}
