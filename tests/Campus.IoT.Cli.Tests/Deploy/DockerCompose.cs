using System.Diagnostics;

namespace Campus.IoT.Cli.Tests.Deploy;

/// <summary>Runs <c>docker-compose</c> on the repository's compose file and captures what it prints.</summary>
internal static class DockerCompose
{
    /// <summary>The secrets docker-compose.yml takes from <c>.env</c> (deploy/district.env.example).</summary>
    public static IReadOnlyList<string> Secrets { get; } = ["INFLUXDB_PASSWORD", "INFLUXDB_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"];

    public static string? Binary { get; } = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists);

    /// <summary>The repository root: the directory above the tests that holds docker-compose.yml.</summary>
    public static string Root { get; } = FindRoot();

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var binary = Binary ?? throw new InvalidOperationException("docker-compose is not installed: apt-get install docker-compose");
        var start = new ProcessStartInfo(binary, ["--project-directory", Root, "-f", Path.Combine(Root, "docker-compose.yml"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };

        // Only the env file a test names may supply the secrets.
        foreach (var secret in Secrets)
        {
            start.Environment.Remove(secret);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")) && File.Exists(Path.Combine(dir.FullName, "Campus.IoT.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no docker-compose.yml above {AppContext.BaseDirectory}");
    }
}
