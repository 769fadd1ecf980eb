using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Campus.IoT.Alerting;
using Campus.IoT.Ingest;
using Campus.IoT.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Dashboard.Tests;

/// <summary>
/// The whole single-machine platform on a loopback Kestrel port with a temporary data directory: the embedded broker on a
/// free port, or an external broker (Mosquitto) when one is given.
/// </summary>
internal sealed class RunningPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDir;
    private bool _keepDataDir;

    private RunningPlatform(WebApplication app, string dataDir, CapturedLogs logs, string brokerHost, int brokerPort)
    {
        _app = app;
        _dataDir = dataDir;
        Logs = logs;
        BrokerHost = brokerHost;
        BrokerPort = brokerPort;
        BaseAddress = new Uri(app.Urls.First());
        (Http, Cookies) = Client(BaseAddress);
    }

    /// <summary>The district admin's password once the test changed the one-time one (see <see cref="SignInAdminAsync"/>).</summary>
    public const string AdminPassword = "admin-password-for-tests";

    /// <summary>The cookies of <see cref="Http"/> (signed in as the district admin), shared with hub connections.</summary>
    public CookieContainer Cookies { get; }

    /// <summary>A client with its own cookie jar that sends the anti-forgery token with every state-changing request.</summary>
    public static (HttpClient Client, CookieContainer Cookies) Client(Uri baseAddress)
    {
        var cookies = new CookieContainer();
        var csrf = new CsrfHandler(new HttpClientHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false });
        var client = new HttpClient(csrf) { BaseAddress = baseAddress };
        csrf.Client = client;
        return (client, cookies);
    }

    /// <summary>
    /// Signs in as the first admin the way an operator does: the one-time password from the log (event 7001), then a new
    /// password. Every API call of a test goes through this signed-in client.
    /// </summary>
    public async Task SignInAdminAsync()
    {
        var created = Logs.Entries.FirstOrDefault(e => e.EventId.Id == 7001 && e.Message.Contains("one-time password ", StringComparison.Ordinal));
        var password = created is null ? AdminPassword : created.Message.Split("one-time password ")[1].Split(' ')[0];
        var me = await SignInAsync(Http, "admin", password);
        if (me["mustChangePassword"]!.GetValue<bool>())
        {
            using var change = await Http.PostAsJsonAsync("/api/auth/password", new { current = password, @new = AdminPassword });
            change.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Signs <paramref name="client"/> in; the body of the answer (the user) or an exception with the problem.</summary>
    public static async Task<JsonObject> SignInAsync(HttpClient client, string username, string password)
    {
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { username, password });
        var body = await login.Content.ReadAsStringAsync();
        return login.IsSuccessStatusCode ? JsonNode.Parse(body)!.AsObject() : throw new InvalidOperationException($"sign-in of {username}: {(int)login.StatusCode} {body}");
    }

    /// <summary>The password every user made by <see cref="UserAsync"/> has chosen (for signing in through a browser).</summary>
    public const string UserPassword = "chosen-password-1";

    /// <summary>Creates a user (as the admin) and returns a client signed in as them, their password already changed to <see cref="UserPassword"/>.</summary>
    public async Task<HttpClient> UserAsync(string username, string role, string[] sites, string[]? rooms = null, string? displayName = null)
    {
        using var create = await Http.PostAsJsonAsync("/api/users", new { username, displayName = displayName ?? username, role, sites, rooms, password = "initial-password-1" });
        create.EnsureSuccessStatusCode();
        var (client, _) = Client(BaseAddress);
        await SignInAsync(client, username, "initial-password-1");
        using var change = await client.PostAsJsonAsync("/api/auth/password", new { current = "initial-password-1", @new = UserPassword });
        change.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Fetches a fresh anti-forgery token before each state-changing request (it is bound to who is signed in).</summary>
    private sealed class CsrfHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public HttpClient? Client { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && request.RequestUri!.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(request.RequestUri, "/api/auth/csrf"));
                using var answer = await base.SendAsync(get, cancellationToken);
                var token = JsonNode.Parse(await answer.Content.ReadAsStringAsync(cancellationToken))!["token"]!.GetValue<string>();
                request.Headers.Remove("X-CSRF-TOKEN");
                request.Headers.Add("X-CSRF-TOKEN", token);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public CapturedLogs Logs { get; }

    public string BrokerHost { get; }

    public int BrokerPort { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<RunningPlatform> StartAsync(string? externalBroker = null, string? dataDir = null, params string[] extraArgs) =>
        StartAsync(externalBroker, dataDir, null, extraArgs);

    /// <summary>Started and its broker subscribers connected, but nobody signed in (for a node that cannot sign anyone in yet).</summary>
    public static Task<RunningPlatform> StartSignedOutAsync(params string[] extraArgs) =>
        StartAsync(null, null, null, extraArgs, signIn: false);

    /// <summary>With more wiring after the platform's own (e.g. a fake clock: a service registered last wins).</summary>
    public static Task<RunningPlatform> StartWithAsync(Action<WebApplicationBuilder> configure, params string[] extraArgs) =>
        StartAsync(null, null, configure, extraArgs);

    private static async Task<RunningPlatform> StartAsync(string? externalBroker, string? dataDir, Action<WebApplicationBuilder>? configure, string[] extraArgs, bool signIn = true)
    {
        dataDir ??= Directory.CreateTempSubdirectory("campus-platform-").FullName;
        var logs = new CapturedLogs();
        var brokerPort = externalBroker is null ? FreePort.Next() : new Uri(externalBroker).Port;
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Campus:DataDir={dataDir}",
            $"--Campus:InstanceId=test-{Guid.NewGuid():N}"[..40],
            $"--Campus:Mqtt:EmbeddedPort={brokerPort}",
            $"--Campus:Mqtt:Broker={externalBroker ?? string.Empty}",
            // The console watchdog would raise an alarm for every school a test publishes to while no board page is open;
            // its own tests turn it on.
            "--Campus:Watchdog:Enabled=false",
            .. extraArgs,
        ];
        var app = CampusHost.Create(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var platform = new RunningPlatform(app, dataDir, logs, externalBroker is null ? "127.0.0.1" : new Uri(externalBroker).Host, brokerPort);
        if (signIn)
        {
            await platform.SignInAdminAsync();
        }

        using var ready = new CancellationTokenSource(Eventually.DefaultTimeout);
        await app.Services.GetRequiredService<IngestConsumer>().WaitConnectedAsync(ready.Token);
        await app.Services.GetRequiredService<AlertingConsumer>().WaitConnectedAsync(ready.Token);
        return platform;
    }

    public Task<TestMqtt> ConnectGatewayAsync() => TestMqtt.ConnectAsync(BrokerHost, BrokerPort);

    /// <summary>A live-hub client that joined <paramref name="site"/> (every site by default); alarm changes arrive in <see cref="LiveClient.AlarmChanges"/>.</summary>
    public async Task<LiveClient> ConnectHubAsync(string site = "*")
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(BaseAddress, "/hubs/live"), o => o.Cookies = Cookies).Build();
        var client = new LiveClient(connection);
        await connection.StartAsync();
        await connection.InvokeAsync("JoinSite", site);
        return client;
    }

    public async Task<JsonArray> GetAlarmsAsync(string query = "") =>
        (await Http.GetFromJsonAsync<JsonArray>("/api/alarms" + query))!;

    /// <summary>The value of one Prometheus sample whose name and labels contain all of <paramref name="parts"/>; 0 when absent.</summary>
    public async Task<double> MetricAsync(string name, params string[] parts)
    {
        var text = await Http.GetStringAsync("/metrics");
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && parts.All(p => line.Contains(p, StringComparison.Ordinal)))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Leaves the data directory in place at dispose, for a test that starts the platform again on it.</summary>
    public void KeepDataDirectory() => _keepDataDir = true;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_keepDataDir)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data; best effort.
        }
    }

    internal sealed class LiveClient : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly Channel<JsonElement> _alarms = Channel.CreateUnbounded<JsonElement>();
        private readonly Channel<JsonElement> _readings = Channel.CreateUnbounded<JsonElement>();
        private readonly Channel<JsonElement> _notifications = Channel.CreateUnbounded<JsonElement>();
        private readonly Channel<JsonElement> _health = Channel.CreateUnbounded<JsonElement>();

        public LiveClient(HubConnection connection)
        {
            _connection = connection;
            connection.On<JsonElement>("alarmChanged", a => _alarms.Writer.TryWrite(a));
            connection.On<JsonElement>("readings", r => _readings.Writer.TryWrite(r));
            connection.On<JsonElement>("notification", n => _notifications.Writer.TryWrite(n));
            connection.On<JsonElement>("deviceHealthChanged", h => _health.Writer.TryWrite(h));
        }

        /// <summary>The next <c>deviceHealthChanged</c> message that matches, skipping others; fails after the default deadline.</summary>
        public async Task<JsonElement> NextHealthChangeAsync(Func<JsonElement, bool> match)
        {
            using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
            while (true)
            {
                var message = await _health.Reader.ReadAsync(cts.Token);
                if (match(message))
                {
                    return message;
                }
            }
        }

        /// <summary>The next <c>notification</c> message (the dashboard channel of an escalation policy).</summary>
        public async Task<JsonElement> NextNotificationAsync()
        {
            using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
            return await _notifications.Reader.ReadAsync(cts.Token);
        }

        public HubConnection Connection => _connection;

        /// <summary>The next alarm change that matches, skipping others; fails after the default deadline.</summary>
        public async Task<JsonElement> NextAlarmAsync(Func<JsonElement, bool> match)
        {
            using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
            while (true)
            {
                var alarm = await _alarms.Reader.ReadAsync(cts.Token);
                if (match(alarm))
                {
                    return alarm;
                }
            }
        }

        public async Task<JsonElement> NextReadingsAsync()
        {
            using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
            return await _readings.Reader.ReadAsync(cts.Token);
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
