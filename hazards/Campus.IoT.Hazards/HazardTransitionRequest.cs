namespace Campus.IoT.Hazards;

/// <summary>A transition a person asks for, with its note and (for verify/reject) the re-inspector, optionally at a known version.</summary>
internal sealed record HazardTransitionRequest(HazardAction Action, string? Note = null, string? Reinspector = null, long? Version = null);
