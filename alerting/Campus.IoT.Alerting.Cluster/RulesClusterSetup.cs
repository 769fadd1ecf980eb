using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Campus.IoT.Alerting.Cluster;

public static class RulesClusterSetup
{
    /// <summary>
    /// Makes this host a node of the rules cluster: an Orleans silo (membership in Redis), a grain per school hosting the
    /// engine, and <see cref="IAlarms"/> routed to the grains. The caller registers the shared stores (PostgreSQL) and the
    /// clustered escalation scheduler; see docs/district.md.
    /// </summary>
    public static void AddCampusRulesCluster(this IHostApplicationBuilder builder, ClusterSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Redis, "Campus:Cluster:Redis");
        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(settings.Redis));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = "campus-rules";
            });
            silo.ConfigureEndpoints(AdvertisedAddress(settings), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            ConfigureSilo(silo, settings);
        });
        AddNodeServices(builder.Services, settings);
    }

    /// <summary>What every node's silo needs whatever its membership provider: failure detection, lifetimes, serialization.</summary>
    internal static void ConfigureSilo(ISiloBuilder silo, ClusterSettings settings)
    {
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = settings.ProbeTimeout;
            o.NumMissedProbesLimit = settings.MissedProbesLimit;
        });
        // A grain call to a node that hangs (not one that died: that fails at once) is given up after 10 s and retried.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        // A school's engine stays where it is while its node lives (its timer keeps it active anyway).
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromDays(7));
        // Grain calls carry the platform's own records (readings, events, alarms): System.Text.Json, as on the wire.
        silo.Services.AddSerializer(s => s.AddJsonSerializer(isSupported: t => t.Namespace?.StartsWith("Campus.IoT", StringComparison.Ordinal) == true));
    }

    /// <summary>The node's side of the cluster: journal, forwarding <see cref="IAlarms"/>, the keeper.</summary>
    internal static void AddNodeServices(IServiceCollection services, ClusterSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(sp => new SiteJournal(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SiteServices>();
        services.AddSingleton<ClusterAlarms>();
        services.AddSingleton<IAlarms>(sp => sp.GetRequiredService<ClusterAlarms>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterAlarms>());
        services.AddHostedService<SiteKeeper>();
    }

    private static IPAddress AdvertisedAddress(ClusterSettings settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.AdvertisedAddress))
        {
            return IPAddress.Parse(settings.AdvertisedAddress);
        }

        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback;
    }
}
