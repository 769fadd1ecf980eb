namespace Campus.IoT.Hazards;

/// <summary>The <c>Campus:Hazards</c> configuration section (docs/hazards.md).</summary>
public sealed class HazardOptions
{
    public const string Section = "Campus:Hazards";

    /// <summary><c>sqlite</c> (default: <c>{DataDir}/hazards.db</c>) or <c>postgres</c> (with <see cref="ConnectionString"/>).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>For postgres: an Npgsql connection string; for sqlite: optional, a file path instead of the default.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where attachments are stored (named by SHA-256); default <c>{DataDir}/hazard-attachments</c>.</summary>
    public string? AttachmentDir { get; set; }

    /// <summary>The largest attachment accepted, in bytes (default 10 MiB).</summary>
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;

    public AlarmRepeatOptions AlarmRepeat { get; set; } = new();

    /// <summary>The provider named by <see cref="Provider"/>; false when it names none.</summary>
    public bool TryGetProvider(out HazardProvider provider)
    {
        switch (Provider?.Trim().ToUpperInvariant())
        {
            case "SQLITE" or "" or null:
                provider = HazardProvider.Sqlite;
                return true;
            case "POSTGRES" or "POSTGRESQL":
                provider = HazardProvider.Postgres;
                return true;
            default:
                provider = default;
                return false;
        }
    }
}
