using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Cli;

/// <summary>
/// <c>campus panel parse --format F [--hex] [--device ID]</c>: reads a panel capture on stdin (raw bytes, or with
/// <c>--hex</c> one hex frame per line) and prints one JSON line per unit: the event record of the wire contract, or
/// <c>{"error":"reason","raw":"…"}</c>. Exit code 0 when every unit decoded, 1 when any was an error, 2 on bad usage.
/// </summary>
internal static class PanelParseCommand
{
    private static readonly HashSet<string> Values = ["--format", "--device"];
    private static readonly HashSet<string> Flags = ["--hex"];

    // Chinese panel text is printed as itself, not as \u escapes: people read this output.
    private static readonly TelemetryJsonContext Json = new(new JsonSerializerOptions(TelemetryJsonContext.Default.Options) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) });

    public static async Task<int> RunAsync(IReadOnlyList<string> args, Stream stdin, TextWriter stdout, TextWriter stderr, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!CliArguments.TryParse(args, Values, Flags, out var options, out var error))
        {
            return await CampusCli.FailAsync(stderr, "panel parse", [error]);
        }

        var device = options.Value("--device") ?? "panel";
        if (!Identifier.IsValid(device))
        {
            return await CampusCli.FailAsync(stderr, "panel parse", [$"--device '{device}' must match [a-z0-9][a-z0-9-]{{0,62}}"]);
        }

        var format = options.Value("--format");
        if (format is null || !PanelParsers.TryCreate(format, new PanelContext(device, time), out var parser))
        {
            return await CampusCli.FailAsync(stderr, "panel parse", [$"--format must be one of {string.Join(", ", PanelParsers.Formats)}"]);
        }

        var errors = 0;
        async Task WriteAsync(IReadOnlyList<PanelRecord> records)
        {
            foreach (var record in records)
            {
                if (record.Event is { } e)
                {
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(e, Json.DeviceEvent));
                }
                else if (record.Error is { } error)
                {
                    errors++;
                    await stdout.WriteLineAsync(ErrorLine(error.Reason, error.Raw));
                }
            }
        }

        if (options.Has("--hex"))
        {
            using var reader = new StreamReader(stdin, Encoding.ASCII);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var hex = new string([.. line.Where(c => !char.IsWhiteSpace(c))]);
                if (hex.Length == 0)
                {
                    continue;
                }

                byte[] bytes;
                try
                {
                    bytes = Convert.FromHexString(hex);
                }
                catch (FormatException)
                {
                    errors++;
                    await stdout.WriteLineAsync(ErrorLine("bad_hex", line));
                    continue;
                }

                await WriteAsync(parser.Feed(bytes));
            }
        }
        else
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await WriteAsync(parser.Feed(buffer.AsSpan(0, read)));
            }
        }

        await WriteAsync(parser.Flush());
        if (parser.NoiseBytes > 0)
        {
            await stderr.WriteLineAsync($"campus panel parse: skipped {parser.NoiseBytes} bytes of noise between units");
        }

        return errors == 0 ? 0 : 1;
    }

    private static string ErrorLine(string reason, string raw)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = Json.Options.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("error", reason);
            json.WriteString("raw", raw);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
