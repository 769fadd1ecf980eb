using System.Diagnostics;
using Npgsql;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real PostgreSQL for the hazard registry's tests. scripts/test.sh starts a temporary PostgreSQL 15 cluster and names it in
/// <c>CAMPUS_TEST_POSTGRES</c> (an Npgsql connection string); under <c>CI=true</c> a missing variable is a test failure, never
/// a skip. On a developer machine without it, one cluster is started for the test process (Debian's
/// /usr/lib/postgresql/15/bin, as the postgres user when running as root) and stopped when the process exits. Each test gets
/// a database of its own (<see cref="CreateDatabaseAsync"/>), so test classes run in parallel.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "CAMPUS_TEST_POSTGRES";
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string OwnerFile = "owner.pid";

    private static readonly Lazy<Task<string>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A new, empty database with a random name; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await Server.Value;
        var name = $"hazards_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{EnvironmentVariable} is not set: under CI the PostgreSQL tests need the cluster scripts/test.sh starts");
        }

        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed: run scripts/test.sh, or `apt-get install -y postgresql`, or set {EnvironmentVariable}");
        }

        RemoveStale();
        var directory = Directory.CreateTempSubdirectory("campus-pg-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var data = Path.Combine(directory, "data");
        var socket = Path.Combine(directory, "sock");
        Directory.CreateDirectory(socket);
        var root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", directory]);
        }

        var port = FreePort.Next();
        await RunPgAsync(root, "initdb", ["-D", data, "-U", "campus", "--auth=trust", "--encoding=UTF8", "--no-sync"]);
        await RunPgAsync(root, "pg_ctl", ["-D", data, "-l", Path.Combine(directory, "postgres.log"), "-o", $"-k {socket} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunPgAsync(root, "pg_ctl", ["-D", data, "-m", "immediate", "stop"]).GetAwaiter().GetResult();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Temp data; best effort.
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=campus;Database=postgres;Pooling=true";
    }

    /// <summary>
    /// Clusters of earlier test processes that have ended (their owner process is gone and no server runs on them): the test
    /// host may be ended before its exit handler has removed its directory.
    /// </summary>
    private static void RemoveStale()
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), "campus-pg-*"))
        {
            var owner = Path.Combine(stale, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && !IsRunning(pid) && !File.Exists(Path.Combine(stale, "data", "postmaster.pid")))
            {
                try
                {
                    Directory.Delete(stale, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another user's, or in use: leave it.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Task RunPgAsync(bool root, string tool, string[] args) =>
        root ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. args]) : RunAsync(Path.Combine(BinDirectory, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
