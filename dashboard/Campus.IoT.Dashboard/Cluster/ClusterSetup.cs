using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace Campus.IoT.Dashboard.Cluster;

/// <summary>
/// Several dashboard nodes behind one load balancer (<c>Campus:Cluster:Redis</c>): the SignalR Redis backplane, so an alarm
/// raised on one node reaches the boards connected to every node, and the Data Protection key ring in Redis, so a cookie
/// issued by one node is accepted by the others. Both share one <see cref="IConnectionMultiplexer"/>, connected without
/// aborting: a node whose Redis is down starts, logs it, and reconnects by itself (docs/district.md).
/// </summary>
internal static partial class ClusterSetup
{
    public const string RedisKey = "Campus:Cluster:Redis";

    /// <summary>Every SignalR channel of the platform starts with this, so one Redis can serve other applications too.</summary>
    public const string ChannelPrefix = "campus";

    /// <summary>The Redis list that holds the Data Protection key ring.</summary>
    public const string KeyRingKey = "campus:dataprotection-keys";

    public const string ApplicationName = "Campus.IoT";

    public static void AddCampusCluster(this WebApplicationBuilder builder, ISignalRServerBuilder signalR)
    {
        var configuration = builder.Configuration[RedisKey];
        if (string.IsNullOrWhiteSpace(configuration) || !TryParse(configuration, out _))
        {
            // Unset: a single node. Invalid: CampusOptionsValidator stops the host at start with the error.
            return;
        }

        var services = builder.Services;
        services.AddSingleton<IConnectionMultiplexer>(sp => Connect(configuration, sp.GetRequiredService<ILogger<ClusterConnection>>()));
        signalR.AddStackExchangeRedis(configuration, o => o.Configuration.ChannelPrefix = RedisChannel.Literal(ChannelPrefix));
        services.AddOptions<RedisOptions>().Configure<IServiceProvider>((o, sp) =>
            o.ConnectionFactory = _ => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()));
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            var redis = sp.GetRequiredService<IConnectionMultiplexer>();
            o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), KeyRingKey);
        });
    }

    /// <summary>True when <paramref name="configuration"/> is a StackExchange.Redis configuration string naming a server.</summary>
    public static bool TryParse(string? configuration, [NotNullWhen(false)] out string? error)
    {
        try
        {
            var options = ConfigurationOptions.Parse(configuration ?? string.Empty);
            error = options.EndPoints.Count == 0 ? "it names no host:port" : null;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
        }

        return error is null;
    }

    private static ConnectionMultiplexer Connect(string configuration, ILogger<ClusterConnection> logger)
    {
        var options = ConfigurationOptions.Parse(configuration);
        // The backplane's channels carry the prefix (a setting of the connection, shared with the key ring, which uses keys only).
        options.ChannelPrefix = RedisChannel.Literal(ChannelPrefix);
        // Start without Redis and keep reconnecting: the node's own alarm path (MQTT, rules, store, escalation) does not need it.
        options.AbortOnConnectFail = false;
        // While disconnected, a push fails at once (and is logged) instead of holding the alarm pipeline for the command timeout.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var endpoints = string.Join(", ", options.EndPoints.Select(e => e.ToString()));
        var redis = ConnectionMultiplexer.Connect(options);
        redis.ConnectionFailed += (_, e) => ClusterConnection.LogFailed(logger, e.Exception, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? endpoints, e.FailureType.ToString());
        redis.ConnectionRestored += (_, e) => ClusterConnection.LogRestored(logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? endpoints);
        if (redis.IsConnected)
        {
            ClusterConnection.LogConnected(logger, endpoints);
        }
        else
        {
            ClusterConnection.LogDownAtStart(logger, endpoints);
        }

        return redis;
    }
}
