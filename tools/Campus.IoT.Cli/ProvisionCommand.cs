using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Campus.IoT.Cli.Provisioning;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus provision gateway|bridge|platform …</c>, <c>campus revoke gateway|bridge|platform …</c> and <c>campus provision list</c>:
/// broker accounts in Mosquitto's <c>passwd</c> and <c>acl</c> files (docs/security.md). A new account gets a random
/// secret that is printed once, inside a ready configuration, and kept on the server only as a PBKDF2 hash.
/// Exit code 0 done, 2 bad usage or nothing changed because of an error (both files are left as they were).
/// </summary>
internal static class ProvisionCommand
{
    public const string DefaultDirectory = "deploy/broker";
    public const string DefaultBroker = "mqtts://localhost:8883";
    public const string DefaultGatewayCaFile = "/etc/campus-gateway/ca.crt";

    private static readonly HashSet<string> GatewayValues = ["--site", "--name", "--dir", "--broker", "--ca-file", "--out", "--reload-pid"];
    private static readonly HashSet<string> PlatformValues = ["--name", "--dir", "--broker", "--ca-file", "--out", "--reload-pid"];
    private static readonly HashSet<string> RevokeGatewayValues = ["--site", "--name", "--dir", "--reload-pid"];
    private static readonly HashSet<string> RevokePlatformValues = ["--name", "--dir", "--reload-pid"];
    private static readonly HashSet<string> BridgeValues = ["--site", "--dir", "--out", "--reload-pid"];
    private static readonly HashSet<string> RevokeBridgeValues = ["--site", "--dir", "--reload-pid"];
    private static readonly HashSet<string> RotateFlag = ["--rotate"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> ProvisionAsync(string kind, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var command = $"provision {kind}";
        var gateway = kind == "gateway";
        var bridge = kind == "bridge";
        if (!CliArguments.TryParse(args, gateway ? GatewayValues : bridge ? BridgeValues : PlatformValues, RotateFlag, out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, command, [error]);
        }

        var errors = new List<string>();
        var user = User(kind, options, errors);
        var broker = options.Value("--broker") ?? DefaultBroker;
        if (!Uri.TryCreate(broker, UriKind.Absolute, out var brokerUri) || brokerUri.Scheme is not ("mqtt" or "mqtts") || brokerUri.Host.Length == 0)
        {
            errors.Add("--broker must be mqtts://host:port (or mqtt://host:port without TLS)");
        }

        var reloadPid = ReloadPid(options, errors);
        if (user is null || errors.Count > 0)
        {
            return await CampusCli.FailAsync(stderr, command, errors);
        }

        var tls = brokerUri!.Scheme == "mqtts";
        var caFile = options.Value("--ca-file") ?? (tls && gateway ? DefaultGatewayCaFile : null);
        var secret = MosquittoPassword.NewSecret();
        // A bridge's secret goes alone into the file `campus bridge config --password-file` reads; the others get a config.
        var output = bridge ? secret + "\n" : (gateway ? GatewayConfig(user, broker, secret, caFile) : PlatformConfig(user, broker, secret, caFile)).ToJsonString(Indented) + "\n";
        try
        {
            using var files = BrokerFiles.Open(options.Value("--dir") ?? DefaultDirectory);
            if (files.Contains(user.Name) && !options.Has("--rotate"))
            {
                return await CampusCli.FailAsync(stderr, command, [$"{user.Name} is already provisioned; --rotate issues a new secret (the old one stops working), revoke removes it"]);
            }

            var rotated = files.Contains(user.Name);
            var stamp = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var what = user.IsGateway ? $"gateway {user.Site}/{user.Gateway}" : user.IsBridge ? $"bridge {user.Site}" : $"platform {user.Name}";
            files.Set(user.Name, MosquittoPassword.Hash(secret), user.AclLines($"campus {what} {(rotated ? "rotated" : "provisioned")} {stamp}"));

            // The config file is staged before the broker files change, so a config that cannot be written stops everything.
            var outFile = options.Value("--out");
            var staged = outFile is null ? null : BrokerFiles.StageText(outFile, output, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                files.Save(grant: true);
                if (staged is not null)
                {
                    BrokerFiles.Commit(staged, outFile!);
                }
            }
            finally
            {
                if (staged is not null)
                {
                    BrokerFiles.TryDelete(staged);
                }
            }

            if (outFile is not null)
            {
                await stderr.WriteLineAsync($"campus {command}: {user.Name} {(rotated ? "rotated" : "provisioned")}; its configuration (with the secret, shown nowhere else) is in {outFile}");
            }
            else
            {
                await stdout.WriteAsync(output);
            }
        }
        catch (ProvisioningException e)
        {
            return await CampusCli.FailAsync(stderr, command, [e.Message]);
        }

        return await ReloadAsync(reloadPid, stderr, command);
    }

    public static async Task<int> RevokeAsync(string kind, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var command = $"revoke {kind}";
        var values = kind switch { "gateway" => RevokeGatewayValues, "bridge" => RevokeBridgeValues, _ => RevokePlatformValues };
        if (!CliArguments.TryParse(args, values, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, command, [error]);
        }

        var errors = new List<string>();
        var user = User(kind, options, errors);
        var reloadPid = ReloadPid(options, errors);
        if (user is null || errors.Count > 0)
        {
            return await CampusCli.FailAsync(stderr, command, errors);
        }

        try
        {
            using var files = BrokerFiles.Open(options.Value("--dir") ?? DefaultDirectory);
            if (!files.Remove(user.Name))
            {
                return await CampusCli.FailAsync(stderr, command, [$"{user.Name} is not provisioned"]);
            }

            files.Save(grant: false);
        }
        catch (ProvisioningException e)
        {
            return await CampusCli.FailAsync(stderr, command, [e.Message]);
        }

        await stdout.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["revoked"] = user.Name }));
        return await ReloadAsync(reloadPid, stderr, command);
    }

    public static async Task<int> ListAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!CliArguments.TryParse(args, new HashSet<string> { "--dir" }, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "provision list", [error]);
        }

        try
        {
            using var files = BrokerFiles.Open(options.Value("--dir") ?? DefaultDirectory);
            foreach (var name in files.Users())
            {
                var user = BrokerUser.Parse(name);
                var line = new JsonObject
                {
                    ["user"] = name,
                    ["kind"] = user?.Kind ?? "other",
                };
                if (user?.Site is not null)
                {
                    line["site"] = user.Site;
                }

                if (user is { IsGateway: true })
                {
                    line["gateway"] = user.Gateway;
                }

                line["acl"] = files.AclOf(name).Count > 0;
                await stdout.WriteLineAsync(line.ToJsonString());
            }
        }
        catch (ProvisioningException e)
        {
            return await CampusCli.FailAsync(stderr, "provision list", [e.Message]);
        }

        return 0;
    }

    private static BrokerUser? User(string kind, CliArguments options, List<string> errors)
    {
        if (kind == "bridge")
        {
            var school = options.Value("--site");
            if (!Identifier.IsValid(school))
            {
                errors.Add($"--site must match [a-z0-9][a-z0-9-]{{0,62}} (got '{school}')");
            }

            return errors.Count == 0 ? BrokerUser.ForBridge(school!) : null;
        }

        var gateway = kind == "gateway";
        var name = options.Value("--name");
        if (!Identifier.IsValid(name))
        {
            errors.Add($"--name must match [a-z0-9][a-z0-9-]{{0,62}} (got '{name}')");
        }

        if (!gateway)
        {
            return errors.Count == 0 ? BrokerUser.ForPlatform(name!) : null;
        }

        var site = options.Value("--site");
        if (!Identifier.IsValid(site))
        {
            errors.Add($"--site must match [a-z0-9][a-z0-9-]{{0,62}} (got '{site}')");
        }

        return errors.Count == 0 ? BrokerUser.ForGateway(site!, name!) : null;
    }

    private static int? ReloadPid(CliArguments options, List<string> errors)
    {
        if (options.Value("--reload-pid") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
        {
            return pid;
        }

        errors.Add("--reload-pid must be the broker's process id");
        return null;
    }

    /// <summary>Mosquitto re-reads its password and ACL files on SIGHUP.</summary>
    private static async Task<int> ReloadAsync(int? pid, TextWriter stderr, string command)
    {
        if (pid is null)
        {
            await stderr.WriteLineAsync($"campus {command}: files updated; the broker applies them on reload (systemctl reload mosquitto, or kill -HUP its pid)");
            return 0;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-HUP", pid.Value.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true, UseShellExecute = false });
        if (kill is null)
        {
            return await CampusCli.FailAsync(stderr, command, ["files updated, but kill could not be started: reload the broker by hand"]);
        }

        var message = await kill.StandardError.ReadToEndAsync();
        await kill.WaitForExitAsync();
        return kill.ExitCode == 0 ? 0 : await CampusCli.FailAsync(stderr, command, [$"files updated, but the broker (pid {pid}) could not be signalled: {message.Trim()}; reload it by hand"]);
    }

    private static JsonObject GatewayConfig(BrokerUser user, string broker, string secret, string? caFile)
    {
        var section = new JsonObject
        {
            ["Site"] = user.Site,
            ["Id"] = user.Gateway,
            ["Broker"] = broker,
            ["Username"] = user.Name,
            ["Password"] = secret,
        };
        if (caFile is not null)
        {
            section["CaFile"] = caFile;
        }

        return new JsonObject { ["Gateway"] = section };
    }

    private static JsonObject PlatformConfig(BrokerUser user, string broker, string secret, string? caFile)
    {
        var section = new JsonObject
        {
            ["Broker"] = broker,
            ["Username"] = user.Name,
            ["Password"] = secret,
        };
        if (caFile is not null)
        {
            section["CaFile"] = caFile;
        }

        return new JsonObject { ["Campus"] = new JsonObject { ["Mqtt"] = section } };
    }
}
