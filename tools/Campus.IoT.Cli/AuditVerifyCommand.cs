using System.Text.Json;
using Campus.IoT.Alerting;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus audit verify --db data/alarms.db</c> (or <c>--postgres CONNSTRING</c> for the district's shared store): walks
/// the alarm audit trail's hash chain and prints <c>{"intact":true,"rows":N}</c>, or where and why it is broken. Exit code 0
/// intact, 1 broken, 2 bad usage, no file or no database.
/// </summary>
internal static class AuditVerifyCommand
{
    private static readonly HashSet<string> Values = ["--db", "--postgres"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!CliArguments.TryParse(args, Values, new HashSet<string>(), out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "audit verify", [error]);
        }

        var postgres = options.Value("--postgres");
        if (postgres is not null && options.Value("--db") is not null)
        {
            return await CampusCli.FailAsync(stderr, "audit verify", ["give --db or --postgres, not both"]);
        }

        var path = options.Value("--db") ?? Path.Combine("data", "alarms.db");
        if (postgres is null && !File.Exists(path))
        {
            return await CampusCli.FailAsync(stderr, "audit verify", [$"no alarm database at {path} (give it with --db)"]);
        }

        AuditVerification result;
        try
        {
            using IAlarmStore store = postgres is null ? new SqliteAlarmStore(path) : new PostgresAlarmStore(postgres);
            result = store.VerifyAudit();
        }
        catch (Exception ex) when (postgres is not null && ex is Npgsql.NpgsqlException or ArgumentException)
        {
            return await CampusCli.FailAsync(stderr, "audit verify", [$"cannot read the alarm database in PostgreSQL: {ex.Message}"]);
        }

        await stdout.WriteLineAsync(JsonSerializer.Serialize(
            new Dictionary<string, object?>
            {
                ["intact"] = result.Intact,
                ["rows"] = result.Rows,
                ["broken_at_seq"] = result.BrokenAtSeq,
                ["reason"] = result.Reason,
            }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value)));
        return result.Intact ? 0 : 1;
    }
}
