namespace Campus.IoT.Dashboard;

/// <summary>The <c>Campus</c> configuration section.</summary>
internal sealed class CampusOptions
{
    public const string Section = "Campus";

    /// <summary>Where SQLite files live; relative paths are resolved against the working directory.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Runs the simulated demo school (the <c>--demo</c> flag).</summary>
    public bool Demo { get; set; }

    /// <summary>Names this node's MQTT client ids (<c>campus-ingest-{id}</c>); defaults to the machine name.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// The school's time zone (IANA id): what "today" means on the room pages and the local times of CSV exports.
    /// </summary>
    public string TimeZone { get; set; } = SchoolTimeZone.DefaultId;

    public MqttSettings Mqtt { get; set; } = new();

    public Auth.AuthOptions Auth { get; set; } = new();

    public Cluster.ClusterOptions Cluster { get; set; } = new();

    /// <summary>The users file: <c>Campus:Auth:Database</c>, or <c>auth.db</c> in the data directory.</summary>
    public string UsersPath() => Auth.Database is { Length: > 0 } file ? Path.GetFullPath(file) : DataPath("auth.db");

    public string DataPath(string file) => Path.Combine(Path.GetFullPath(DataDir), file);
}
