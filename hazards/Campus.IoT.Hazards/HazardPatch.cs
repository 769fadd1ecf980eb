namespace Campus.IoT.Hazards;

/// <summary>
/// A change to a hazard's fields (<c>PATCH /api/hazards/{id}</c>): a null member leaves the field as it is; an empty string
/// clears a text field. Site, source and status are not edited here (status moves only through <see cref="HazardAction"/>).
/// </summary>
internal sealed record HazardPatch
{
    public string? Location { get; init; }

    public HazardCategory? Category { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    public RiskLevel? Risk { get; init; }

    public string? Measures { get; init; }

    public decimal? Funds { get; init; }

    public string? ResponsibleUnit { get; init; }

    public string? ResponsiblePerson { get; init; }

    public DateOnly? Deadline { get; init; }

    public string? Reinspector { get; init; }
}
