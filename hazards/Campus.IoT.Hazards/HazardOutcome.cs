namespace Campus.IoT.Hazards;

/// <summary>What a change to a hazard came to: done (with the hazard as stored), or why not.</summary>
internal sealed record HazardOutcome(HazardOutcomeKind Kind, Hazard? Hazard, string? Reason = null)
{
    public static HazardOutcome Ok(Hazard hazard) => new(HazardOutcomeKind.Ok, hazard);

    public static HazardOutcome NotFound(long id) => new(HazardOutcomeKind.NotFound, null, $"隐患 {id} 不存在 / no hazard {id}");

    public static HazardOutcome Invalid(string reason) => new(HazardOutcomeKind.Invalid, null, reason);

    public static HazardOutcome Illegal(string reason) => new(HazardOutcomeKind.Illegal, null, reason);

    public static HazardOutcome Conflict(long id, long version) =>
        new(HazardOutcomeKind.Conflict, null, $"隐患 {id} 已被他人修改（当前版本 {version}）/ hazard {id} was changed meanwhile (now version {version}): reload and try again");
}

/// <summary>Done; no such hazard; bad input (400); not allowed in the hazard's state (409); edited meanwhile (409).</summary>
internal enum HazardOutcomeKind
{
    Ok,
    NotFound,
    Invalid,
    Illegal,
    Conflict,
}
