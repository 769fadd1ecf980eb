namespace Campus.IoT.Alerting;

/// <summary>The <c>Campus:Alarms</c> configuration section: where alarms, their audit trail and delivery records live.</summary>
public sealed class AlarmStoreOptions
{
    public const string Section = "Campus:Alarms";

    /// <summary>
    /// <c>sqlite</c> (default: <c>{DataDir}/alarms.db</c>, one node) or <c>postgres</c> (with <see cref="ConnectionString"/>:
    /// one store shared by several rules/dashboard nodes).
    /// </summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>For postgres: an Npgsql connection string; for sqlite: optional, a file path instead of the default.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The provider named by <see cref="Provider"/>; false when it names none.</summary>
    public bool TryGetProvider(out AlarmStoreProvider provider)
    {
        switch (Provider?.Trim().ToUpperInvariant())
        {
            case "SQLITE" or "" or null:
                provider = AlarmStoreProvider.Sqlite;
                return true;
            case "POSTGRES" or "POSTGRESQL":
                provider = AlarmStoreProvider.Postgres;
                return true;
            default:
                provider = default;
                return false;
        }
    }
}
