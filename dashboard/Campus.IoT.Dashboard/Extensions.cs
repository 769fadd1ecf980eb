using Campus.IoT.Alerting;
using Campus.IoT.Alerting.Cluster;
using Campus.IoT.Alerting.Escalation;
using Campus.IoT.Alerting.Notifications;
using Campus.IoT.Alerting.Rules;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Dashboard.Cluster;
using Campus.IoT.Dashboard.Devices;
using Campus.IoT.Dashboard.Demo;
using Campus.IoT.Dashboard.Live;
using Campus.IoT.Dashboard.Messaging;
using Campus.IoT.Hazards;
using Campus.IoT.Hazards.Reminders;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Campus.IoT.Dashboard;

/// <summary>The single-machine platform's wiring.</summary>
internal static class Extensions
{
    public static void AddCampusPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CampusOptions>().Bind(builder.Configuration.GetSection(CampusOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CampusOptions>, CampusOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<RegistryUnavailableHandler>();
        // Campus:Cluster:Redis: the Redis backplane and the shared sign-in key ring of several nodes; unset, a single node.
        builder.AddCampusCluster(services.AddSignalR());
        if (builder.Configuration.GetValue<bool>($"{CampusOptions.Section}:{nameof(CampusOptions.Demo)}") && builder.Configuration["Campus:Auth:Anonymous"] is null)
        {
            // The README's demo command shows the board at once: visitors are a guard of every site.
            builder.Configuration["Campus:Auth:Anonymous"] = Roles.Guard;
        }

        if (builder.Configuration.GetValue<bool>($"{CampusOptions.Section}:{nameof(CampusOptions.Demo)}") && builder.Configuration["Campus:Rules:File"] is null)
        {
            // The demo school's storage rooms have their profiles, so the cold-storage and lab page shows them.
            builder.Configuration["Campus:Rules:File"] = Path.Combine(AppContext.BaseDirectory, "Demo", "demo-rules.yaml");
        }

        services.AddCampusAuth();
        services.AddSingleton<SchoolTimeZone>();

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CampusOptions>>().Value;
            var endpoint = options.Mqtt.UseEmbedded
                ? new MqttEndpoint("127.0.0.1", options.Mqtt.EmbeddedPort)
                : MqttEndpoint.TryParse(options.Mqtt.Broker, out var external) ? external : throw new OptionsValidationException(CampusOptions.Section, typeof(CampusOptions), ["Campus:Mqtt:Broker is invalid"]);
            var settings = new MqttClientSettings(endpoint, options.InstanceId is { Length: > 0 } id ? id : DefaultInstanceId());
            return options.Mqtt.UseEmbedded ? settings : settings with { Username = options.Mqtt.Username, Password = options.Mqtt.Password, CaFile = options.Mqtt.CaFile };
        });
        services.AddSingleton(sp => new PayloadDecoder(sp.GetRequiredService<TimeProvider>()));

        // Hosted services start in this order and stop in reverse: the broker first, then the subscribers.
        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());

        // The embedded MQTTnet broker has no shared subscriptions: with it, ingest subscribes plainly (it is the only instance).
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{CampusOptions.Section}:Mqtt:Broker"]))
        {
            builder.Configuration[$"{IngestOptions.Section}:{nameof(IngestOptions.SharedGroup)}"] = string.Empty;
        }

        services.AddSingleton<IReadingObserver, HubReadingObserver>();
        // Every device and gateway heard of (room and sensor-health views).
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton(SiteDirectory.From(builder.Configuration));
        var cluster = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        if (cluster.Enabled)
        {
            // A cluster node's ingest takes a share of the stream; its alerting subscription receives every school's.
            services.AddSingleton<IClusterReadingObserver>(sp => sp.GetRequiredService<DeviceDirectory>());
            services.AddHostedService<AlarmIndexRefresh>();
        }
        else
        {
            services.AddSingleton<IReadingObserver>(sp => sp.GetRequiredService<DeviceDirectory>());
        }

        services.AddSingleton<IGatewayStatusObserver>(sp => sp.GetRequiredService<DeviceDirectory>());
        // devices.db: the directory survives a restart, so a device silent since then shows as offline, not gone.
        services.AddSingleton(sp => new DeviceDirectoryStore(
            sp.GetRequiredService<IOptions<CampusOptions>>().Value.DataPath("devices.db"),
            sp.GetRequiredService<DeviceDirectory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeviceDirectoryStore>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DeviceDirectoryStore>());
        // The sensor-health view: devices classified online / stale / faulty / offline, deviceHealthChanged pushes.
        services.AddOptions<HealthOptions>().Bind(builder.Configuration.GetSection(HealthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddSingleton<DeviceAlarmIndex>();
        services.AddSingleton<SensorHealthModel>();
        services.AddSingleton<DeviceHealthMonitor>();
        services.AddSingleton<IGatewayStatusObserver>(sp => sp.GetRequiredService<DeviceHealthMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<DeviceHealthMonitor>());
        services.AddCampusIngest(builder.Configuration, sp => sp.GetRequiredService<IOptions<CampusOptions>>().Value.DataPath(string.Empty));

        // The hazard registry (docs/hazards.md): migrated at start, before alarms flow; its alarm feed is an IHazardFeed of AlarmService.
        services.AddCampusHazards(builder.Configuration, sp => sp.GetRequiredService<IOptions<CampusOptions>>().Value.DataPath(string.Empty), sp => sp.GetRequiredService<SchoolTimeZone>().Zone);
        // The daily digest of overdue and nearly due hazards per responsible person, in the school's time zone by default.
        if (builder.Configuration["Campus:Hazards:Reminders:TimeZone"] is null && builder.Configuration["Campus:TimeZone"] is { } schoolZone)
        {
            builder.Configuration["Campus:Hazards:Reminders:TimeZone"] = schoolZone;
        }

        services.AddSingleton<IHazardSource>(sp => sp.GetRequiredService<HazardStore>());
        services.AddHazardReminders(builder.Configuration);

        services.AddSingleton<AlertingMetrics>();
        // Campus:Alarms: alarms, audit trail and delivery records in {DataDir}/alarms.db, or in PostgreSQL shared by the district's nodes.
        services.AddOptions<AlarmStoreOptions>().Bind(builder.Configuration.GetSection(AlarmStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlarmStoreOptions>, AlarmStoreOptionsValidator>();
        services.AddSingleton<IAlarmStore>(sp => AlarmStorePath(sp) is { } path
            ? new SqliteAlarmStore(path, sp.GetRequiredService<TimeProvider>())
            : new PostgresAlarmStore(sp.GetRequiredService<IOptions<AlarmStoreOptions>>().Value.ConnectionString!, sp.GetRequiredService<TimeProvider>()));
        // The guard room's push, then the health view's index of device alarm conditions.
        services.AddSingleton<HubAlarmNotifier>();
        services.AddSingleton<IAlarmNotifier, HealthAlarmNotifier>();
        // Campus:Rules:File: a rules file (docs/rules.md), watched and reloaded; without it the built-in defaults.
        services.AddSingleton(sp => new RulesProvider(builder.Configuration["Campus:Rules:File"], sp.GetRequiredService<ILogger<RulesProvider>>()));
        // Escalation steps on Quartz.NET; notifications (board, webhooks, email) with every attempt recorded on the alarm.
        services.AddOptions<NotifyOptions>().Bind(builder.Configuration.GetSection(NotifyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotifyOptions>, NotifyOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<NotifyOptions>>().Value);
        // Campus:Escalation:ConnectionString: the district's clustered Quartz store on PostgreSQL (empty: in memory, one node);
        // Campus:Escalation:InstanceId: this node's id in that cluster (default: machine name and process id).
        services.AddOptions<EscalationStoreOptions>().Bind(builder.Configuration.GetSection(EscalationStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EscalationStoreOptions>, EscalationStoreOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<IOptions<EscalationStoreOptions>>().Value;
            var configuredId = builder.Configuration[$"{EscalationStoreOptions.Section}:{nameof(EscalationStoreOptions.InstanceId)}"];
            store = string.IsNullOrWhiteSpace(configuredId) ? store with { InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}" } : store;
            return new EscalationScheduler(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EscalationScheduler>>(), store);
        });
        services.AddSingleton<IDeliveryStore>(sp => AlarmStorePath(sp) is { } path
            ? new SqliteDeliveryStore(path)
            : new PostgresDeliveryStore(sp.GetRequiredService<IOptions<AlarmStoreOptions>>().Value.ConnectionString!));
        services.AddSingleton<INotificationChannel, HubNotificationChannel>();
        services.AddSingleton<INotificationChannel>(sp => new WebhookChannel(new HttpClient(), sp.GetRequiredService<NotifyOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<INotificationChannel>(sp => new EmailChannel(sp.GetRequiredService<NotifyOptions>()));
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        if (cluster.Enabled)
        {
            // District tier (docs/district.md): a grain per school on the Orleans cluster runs the same engine; every node
            // forwards every school's inputs to it. The stores and the escalation scheduler are the shared PostgreSQL ones.
            var siteDirectory = SiteDirectory.From(builder.Configuration);
            cluster.KnownSites = () => siteDirectory.Sites;
            builder.AddCampusRulesCluster(cluster);
        }
        else
        {
            // One machine: one engine for every school, in-process.
            services.AddSingleton<AlarmService>();
            services.AddSingleton<IAlarms>(sp => sp.GetRequiredService<AlarmService>());
            services.AddHostedService<EscalationStartup>();
            services.AddHostedService<AlarmTicker>();
        }

        // The console watchdog: a school whose guard room has no board open is itself an alarm.
        services.AddSingleton(builder.Configuration.GetSection(WatchdogOptions.Section).Get<WatchdogOptions>() ?? new WatchdogOptions());
        services.AddSingleton<ConsoleRegistry>();
        services.AddHostedService<ConsoleWatchdog>();
        services.AddSingleton<AlertingConsumer>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertingConsumer>());

        if (builder.Configuration.GetValue<bool>($"{CampusOptions.Section}:{nameof(CampusOptions.Demo)}"))
        {
            services.AddHostedService<DemoGatewayService>();
        }

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(IngestMetrics.MeterName, AlertingMetrics.MeterName, EmbeddedBroker.MeterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    public static void MapCampusPlatform(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCampusAuth();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthorization();
        app.UseCampusAntiforgery();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        app.MapHub<LiveHub>("/hubs/live");
        app.MapAuthEndpoints();
        app.MapHealthEndpoints();
        app.MapAlarmEndpoints();
        app.MapHistoryEndpoints();
        app.MapMaintenanceEndpoints();
        app.MapReadingEndpoints();
        app.MapReadingExport();
        app.MapRoomEndpoints();
        app.MapDeviceEndpoints();
        app.MapHazardEndpoints();
        app.MapHazardReportEndpoints();
    }

    /// <summary>The SQLite file of the alarm stores (<c>{DataDir}/alarms.db</c> unless configured); null for PostgreSQL.</summary>
    private static string? AlarmStorePath(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<AlarmStoreOptions>>().Value;
        options.TryGetProvider(out var provider);
        return provider == AlarmStoreProvider.Postgres
            ? null
            : string.IsNullOrWhiteSpace(options.ConnectionString) ? sp.GetRequiredService<IOptions<CampusOptions>>().Value.DataPath("alarms.db") : options.ConnectionString;
    }

    private static string DefaultInstanceId()
    {
        var name = new string([.. Environment.MachineName.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')]).Trim('-');
        return Identifier.IsValid(name) ? name : "node";
    }
}
