namespace Campus.IoT.Hazards.Reminders;

/// <summary>Where the reminder job reads hazards from: the registry's store implements it (the job needs only open hazards).</summary>
internal interface IHazardSource
{
    /// <summary>Every hazard not yet closed, at every school this host serves.</summary>
    Task<IReadOnlyList<Hazard>> OpenHazardsAsync(CancellationToken cancellationToken);
}
