namespace Campus.IoT.Dashboard.Api;

/// <summary>Who shelves an alarm, why, and for how many minutes.</summary>
internal sealed record ShelveRequest(string? By, string? Note, int? Minutes);
