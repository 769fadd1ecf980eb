namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// Which hazards a list shows: found in [<see cref="From"/>, <see cref="To"/>), of one category, status, risk level and
/// site when given (null: any). A school's lists set <see cref="Site"/>; the district's leave it null.
/// </summary>
internal sealed record HazardListFilter
{
    public static HazardListFilter All { get; } = new();

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public HazardCategory? Category { get; init; }

    public HazardStatus? Status { get; init; }

    public RiskLevel? Risk { get; init; }

    public string? Site { get; init; }

    public bool Matches(Hazard hazard) =>
        (From is not { } from || hazard.FoundAt >= from)
        && (To is not { } to || hazard.FoundAt < to)
        && (Category is not { } category || hazard.Category == category)
        && (Status is not { } status || hazard.Status == status)
        && (Risk is not { } risk || hazard.Risk == risk)
        && (Site is not { } site || string.Equals(hazard.Site, site, StringComparison.Ordinal));
}
