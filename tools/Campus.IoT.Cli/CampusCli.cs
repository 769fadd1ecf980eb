namespace Campus.IoT.Cli;

/// <summary>The <c>campus</c> command line: dispatches the command words to their command.</summary>
internal static class CampusCli
{
    public const string Usage = """
        usage:
          campus panel parse --format notifier|est|gst|contact-id|sia-dc09|gbt26875 [--hex] [--device ID] < capture
          campus simulate --broker mqtt://HOST:PORT --sites N --devices M (--rate HZ | --interval S) --duration S [--gateways G] [--burst-factor F --burst-at S --burst-for S] [--seed K]
          campus audit verify [--db data/alarms.db | --postgres CONNSTRING]
          campus replay [--rules FILE] < readings.jsonl
          campus bridge config --site S --district mqtts://HOST:8883 [--username U --password-file F] [--cafile F] [--protocol mqttv50|mqttv311] [--autosave S] [--max-queued N]
          campus provision gateway --site S --name G [--dir deploy/broker] [--broker mqtts://HOST:8883] [--ca-file PATH] [--out FILE] [--rotate] [--reload-pid PID]
          campus provision platform --name N [--dir deploy/broker] [--broker mqtts://HOST:8883] [--ca-file PATH] [--out FILE] [--rotate] [--reload-pid PID]
          campus provision bridge --site S [--dir deploy/broker] [--out FILE] [--rotate] [--reload-pid PID]
          campus provision list [--dir deploy/broker]
          campus revoke gateway --site S --name G [--dir deploy/broker] [--reload-pid PID]
          campus revoke bridge --site S [--dir deploy/broker] [--reload-pid PID]
          campus revoke platform --name N [--dir deploy/broker] [--reload-pid PID]
        """;

    public static async Task<int> RunAsync(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["panel", "parse", .. var rest]:
                return await PanelParseCommand.RunAsync(rest, stdin, stdout, stderr, time, cancellationToken);
            case ["simulate", .. var rest]:
                return await SimulateCommand.RunAsync(rest, stdout, stderr, time, cancellationToken);
            case ["replay", .. var rest]:
                return await ReplayCommand.RunAsync(rest, stdin, stdout, stderr, cancellationToken);
            case ["audit", "verify", .. var rest]:
                return await AuditVerifyCommand.RunAsync(rest, stdout, stderr);
            case ["bridge", "config", .. var rest]:
                return await BridgeConfigCommand.RunAsync(rest, stdout, stderr);
            case ["provision", "list", .. var rest]:
                return await ProvisionCommand.ListAsync(rest, stdout, stderr);
            case ["provision", "gateway" or "bridge" or "platform", .. var rest]:
                return await ProvisionCommand.ProvisionAsync(args[1], rest, stdout, stderr, time);
            case ["revoke", "gateway" or "bridge" or "platform", .. var rest]:
                return await ProvisionCommand.RevokeAsync(args[1], rest, stdout, stderr);
            case ["--help"] or ["-h"] or ["help"]:
                await stdout.WriteLineAsync(Usage);
                return 0;
            default:
                await stderr.WriteLineAsync(Usage);
                return 2;
        }
    }

    public static async Task<int> FailAsync(TextWriter stderr, string command, IEnumerable<string> errors)
    {
        foreach (var e in errors)
        {
            await stderr.WriteLineAsync($"campus {command}: {e}");
        }

        return 2;
    }
}
