namespace Campus.IoT.Hazards;

/// <summary>Where the registry lives: <c>sqlite</c> (a file in the data directory) or <c>postgres</c> (district scale).</summary>
public enum HazardProvider
{
    Sqlite,
    Postgres,
}
