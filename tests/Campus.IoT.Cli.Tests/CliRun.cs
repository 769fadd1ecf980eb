using System.Text;
using Campus.IoT.Cli;

namespace Campus.IoT.Cli.Tests;

/// <summary>Runs the <c>campus</c> command in-process with the given stdin and captures stdout, stderr and the exit code.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static async Task<CliRun> RunAsync(byte[] stdin, TimeProvider time, params string[] args)
    {
        using var input = new MemoryStream(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CampusCli.RunAsync(args, input, stdout, stderr, time, CancellationToken.None);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public static Task<CliRun> RunAsync(string stdin, TimeProvider time, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), time, args);
}
