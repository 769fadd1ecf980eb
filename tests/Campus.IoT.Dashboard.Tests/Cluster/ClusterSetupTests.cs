using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Campus.IoT.Dashboard.Tests.Cluster;

/// <summary>
/// Two dashboard nodes sharing one Redis (<c>Campus:Cluster:Redis</c>) and one users file (<c>Campus:Auth:Database</c>),
/// each with its own data directory and its own embedded broker: an event published to node 1's broker is heard by node 1
/// only, so whatever node 2's board receives came through the Redis backplane.
/// </summary>
public sealed class ClusterSetupTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _usersDir = Directory.CreateTempSubdirectory("campus-cluster-users-").FullName;
    private readonly string _site = "cl-" + Guid.NewGuid().ToString("N")[..8];

    private string UsersFile => Path.Combine(_usersDir, "auth.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_usersDir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data; best effort.
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_alarm_raised_on_node_1_reaches_a_board_connected_to_node_2()
    {
        await using var node1 = await StartNodeAsync();
        await using var node2 = await StartNodeAsync();
        await using var board = await node2.ConnectHubAsync();
        await using var gateway = await node1.ConnectGatewayAsync();

        await gateway.PublishAsync($"campus/v1/{_site}/gw-1/events", Scenarios.SmokeEvent(1, "d1"));

        var pushed = await board.NextAlarmAsync(a => a.GetProperty("site").GetString() == _site);
        Assert.Equal("fire", pushed.GetProperty("rule").GetString());
        Assert.Equal("active_unack", pushed.GetProperty("state").GetString());
        var raised = Assert.Single(await node1.GetAlarmsAsync($"?site={_site}"))!;
        Assert.Equal(pushed.GetProperty("id").GetString(), (string?)raised["id"]);
        // Node 2 never heard the event (its broker is its own): the push came through Redis.
        Assert.Empty(await node2.GetAlarmsAsync($"?site={_site}"));
        Assert.Empty(node1.Logs.Errors);
        Assert.Empty(node2.Logs.Errors);
    }

    [Fact]
    public async Task A_cookie_issued_by_node_1_is_accepted_by_node_2_and_users_are_shared()
    {
        await using var node1 = await StartNodeAsync();
        await using var node2 = await StartNodeAsync();
        var (client1, cookies1) = RunningPlatform.Client(node1.BaseAddress);
        using (client1)
        {
            await RunningPlatform.SignInAsync(client1, AdminBootstrap.AdminName, RunningPlatform.AdminPassword);
        }

        using var toNode2 = new HttpClient { BaseAddress = node2.BaseAddress };
        using (var anonymous = await toNode2.GetAsync(new Uri("/api/alarms", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/alarms", UriKind.Relative));
        request.Headers.Add("Cookie", cookies1.GetCookieHeader(node1.BaseAddress));
        using var withCookie = await toNode2.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);

        // A user created on node 1 signs in on node 2: one users file.
        using var guard = await node1.UserAsync("guard-" + _site, Roles.Guard, [_site]);
        var (client2, _) = RunningPlatform.Client(node2.BaseAddress);
        using (client2)
        {
            var me = await RunningPlatform.SignInAsync(client2, "guard-" + _site, RunningPlatform.UserPassword);
            Assert.Equal(Roles.Guard, (string?)me["role"]);
        }
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_on_an_empty_users_file_create_one_admin()
    {
        var starting = new[] { StartNodeAsync(signIn: false), StartNodeAsync(signIn: false) };
        await Task.WhenAll(starting);
        await using var node1 = await starting[0];
        await using var node2 = await starting[1];

        var created = new[] { node1, node2 }.SelectMany(n => n.Logs.Entries).Where(e => e.EventId.Id == 7001).ToList();
        var once = Assert.Single(created);
        Assert.Single(node1.Services.GetRequiredService<UserStore>().All());
        var password = once.Message.Split("one-time password ")[1].Split(' ')[0];
        foreach (var node in new[] { node1, node2 })
        {
            var (client, _) = RunningPlatform.Client(node.BaseAddress);
            using (client)
            {
                var me = await RunningPlatform.SignInAsync(client, AdminBootstrap.AdminName, password);
                Assert.True(me["mustChangePassword"]!.GetValue<bool>());
            }

            Assert.Empty(node.Logs.Errors);
        }
    }

    [Fact]
    public async Task Redis_down_at_start_is_logged_alarms_are_still_stored_and_pushes_resume_when_it_answers()
    {
        var late = new RedisServer();
        try
        {
            await using var node = await RunningPlatform.StartSignedOutAsync($"--Campus:Cluster:Redis={late.Configuration}");
            Assert.Contains(node.Logs.Entries, e => e.EventId.Id == 7402 && e.Level == LogLevel.Critical && e.Message.Contains(late.Configuration, StringComparison.Ordinal));

            await using (var gateway = await node.ConnectGatewayAsync())
            {
                await gateway.PublishAsync($"campus/v1/{_site}/gw-1/events", Scenarios.SmokeEvent(1, "d1"));
            }

            // The alarm path does not need Redis: raised and stored; only the live push failed, and that is logged.
            var alarms = node.Services.GetRequiredService<Campus.IoT.Alerting.AlarmService>();
            await Eventually.True(() => alarms.Query([Campus.IoT.Alerting.AlarmState.ActiveUnack], _site, 10).Count == 1, "the alarm stored");
            await Eventually.True(() => node.Logs.Entries.Any(e => e.EventId.Id == 2002), "the failed push logged");

            // /healthz names it without turning the node unhealthy; the key ring is unreadable, so no token and no sign-in yet.
            var health = (await node.Http.GetFromJsonAsync<JsonObject>("/healthz"))!;
            Assert.Equal("redis-down", (string?)health["checks"]!["cluster"]);
            Assert.Equal("ok", (string?)health["status"]);
            using (var csrf = await node.Http.GetAsync(new Uri("/api/auth/csrf", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.InternalServerError, csrf.StatusCode);
            }

            await late.StartAsync();
            var multiplexer = node.Services.GetRequiredService<IConnectionMultiplexer>();
            await Eventually.True(() => multiplexer.IsConnected, "the node reconnected to Redis", TimeSpan.FromSeconds(60));

            Assert.Equal("ok", (string?)(await node.Http.GetFromJsonAsync<JsonObject>("/healthz"))!["checks"]!["cluster"]);
            await node.SignInAdminAsync();
            await using var board = await node.ConnectHubAsync();
            await using (var gateway = await node.ConnectGatewayAsync())
            {
                await gateway.PublishAsync($"campus/v1/{_site}/gw-1/events", Scenarios.SmokeEvent(2, "d2"));
            }

            var pushed = await board.NextAlarmAsync(a => a.GetProperty("site").GetString() == _site && a.GetProperty("device").GetString() == "d2");
            Assert.Equal("active_unack", pushed.GetProperty("state").GetString());
        }
        finally
        {
            await late.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_board_connected_before_redis_restarts_gets_pushes_again_and_stays_signed_in()
    {
        var own = new RedisServer();
        try
        {
            await own.StartAsync();
            await using var node = await RunningPlatform.StartAsync(null, null, $"--Campus:Cluster:Redis={own.Configuration}");
            await using var board = await node.ConnectHubAsync();
            await using var gateway = await node.ConnectGatewayAsync();
            var multiplexer = node.Services.GetRequiredService<IConnectionMultiplexer>();

            await own.StopAsync();
            await Eventually.True(() => node.Logs.Entries.Any(e => e.EventId.Id == 7403), "the lost connection logged");
            await gateway.PublishAsync($"campus/v1/{_site}/gw-1/events", Scenarios.SmokeEvent(1, "d1"));
            await Eventually.True(() => node.Logs.Entries.Any(e => e.EventId.Id == 2002), "the failed push logged");
            // Signed in before: the key ring is cached, the API still answers.
            Assert.Single(await node.GetAlarmsAsync($"?site={_site}"));

            await own.StartAsync();
            await Eventually.True(
                () => node.Logs.Entries.Any(e => e.EventId.Id == 7404 && e.Message.Contains("Subscription", StringComparison.Ordinal)),
                "the subscription connection restored",
                TimeSpan.FromSeconds(60));
            Assert.True(multiplexer.IsConnected);

            // The board's group subscription is restored by the multiplexer: the next change reaches it without reconnecting.
            await gateway.PublishAsync($"campus/v1/{_site}/gw-1/events", Scenarios.SmokeEvent(2, "d2"));
            var pushed = await board.NextAlarmAsync(a => a.GetProperty("site").GetString() == _site && a.GetProperty("device").GetString() == "d2");
            Assert.Equal("active_unack", pushed.GetProperty("state").GetString());
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    private Task<RunningPlatform> StartNodeAsync(bool signIn = true)
    {
        string[] args = [$"--Campus:Cluster:Redis={redis.Configuration}", $"--Campus:Auth:Database={UsersFile}"];
        return signIn ? RunningPlatform.StartAsync(null, null, args) : RunningPlatform.StartSignedOutAsync(args);
    }
}
