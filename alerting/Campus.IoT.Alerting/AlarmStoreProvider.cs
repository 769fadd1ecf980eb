namespace Campus.IoT.Alerting;

/// <summary>Where alarms live: <c>sqlite</c> (a file in the data directory) or <c>postgres</c> (shared by the district's nodes).</summary>
public enum AlarmStoreProvider
{
    Sqlite,
    Postgres,
}
