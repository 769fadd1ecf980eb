namespace Campus.IoT.Dashboard.Cluster;

/// <summary>The log category and messages of the cluster's Redis connection (<see cref="ClusterSetup"/>).</summary>
internal sealed partial class ClusterConnection
{
    private ClusterConnection()
    {
    }

    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "Cluster: connected to Redis {Endpoints} (SignalR backplane, shared sign-in keys)")]
    public static partial void LogConnected(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Critical, Message = "Cluster: Redis {Endpoints} (Campus:Cluster:Redis) does not answer at start. Alarms are still raised, stored, escalated and notified, but no board of any node gets live pushes and nobody can sign in on this node until Redis answers; reconnecting in the background")]
    public static partial void LogDownAtStart(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Error, Message = "Cluster: lost the {ConnectionType} connection to Redis {Endpoint} ({FailureType}). Live pushes fail (boards resync from the API) until it is back; reconnecting in the background")]
    public static partial void LogFailed(ILogger logger, Exception? exception, string connectionType, string endpoint, string failureType);

    [LoggerMessage(EventId = 7404, Level = LogLevel.Warning, Message = "Cluster: the {ConnectionType} connection to Redis {Endpoint} is back; live pushes flow again")]
    public static partial void LogRestored(ILogger logger, string connectionType, string endpoint);
}
