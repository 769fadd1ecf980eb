using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Campus.IoT.Ingest.Storage;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// InfluxDB 1.x: line protocol POSTed gzip-compressed to <c>/write?db=&amp;rp=&amp;precision=ms</c>, history read with InfluxQL
/// over <c>/query</c>. HTTP basic authentication when a user is configured. A refused write throws with the server's error
/// text, an unreachable server throws too, so the ingest writer keeps the batch and writes it again.
/// </summary>
internal sealed class InfluxV1Store : ITimeSeriesStore, IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxQlReader _reader;
    private readonly ILogger _logger;
    private readonly string _writePath;

    public InfluxV1Store(InfluxOptions options, ILogger<InfluxV1Store> logger)
    {
        options.ThrowIfInvalid(InfluxOptions.InfluxDb1);
        _logger = logger;
        _http = InfluxHttp.CreateClient(options, InfluxHttp.Basic(options.Username, options.Password));
        var database = options.Database!;
        var retentionPolicy = string.IsNullOrWhiteSpace(options.RetentionPolicy) ? null : options.RetentionPolicy;
        _writePath = "write?db=" + Uri.EscapeDataString(database)
            + (retentionPolicy is null ? string.Empty : "&rp=" + Uri.EscapeDataString(retentionPolicy))
            + "&precision=ms";
        _reader = new InfluxQlReader(_http, database, retentionPolicy, logger, Kind);
        logger.Configured(Kind, _http.BaseAddress!, database, retentionPolicy);
    }

    public string Kind => InfluxOptions.InfluxDb1;

    public async Task<StoreWriteResult> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken cancellationToken)
    {
        var result = new StoreWriteResult(batches.Sum(b => b.Readings.Count), batches.Sum(b => b.Events.Count));
        if (result.Readings + result.Events == 0)
        {
            return result;
        }

        var started = Stopwatch.GetTimestamp();
        using var content = new ByteArrayContent(Compress(LineProtocol.Lines(batches)));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_writePath, UriKind.Relative)) { Content = content };
        const string What = "write";
        using var response = await InfluxHttp.SendAsync(_http, request, What, cancellationToken);
        await InfluxHttp.ThrowIfRefusedAsync(response, What, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        _logger.Wrote(result.Readings, result.Events, Kind, elapsed);
        return result;
    }

    public Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        _reader.QueryAsync(query, cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <summary>The lines, newline-terminated, UTF-8, gzip-compressed (fastest level: the network, not the CPU, is the cost).</summary>
    internal static byte[] Compress(IReadOnlyList<string> lines)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(gzip, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024))
        {
            foreach (var line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
            }
        }

        return buffer.ToArray();
    }
}
