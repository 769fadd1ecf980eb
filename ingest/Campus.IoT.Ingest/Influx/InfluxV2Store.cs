using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Campus.IoT.Ingest.Storage;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// InfluxDB 2.x/3.x: writes through InfluxDB.Client's awaited write API (<c>/api/v2/write</c>, gzip, millisecond precision,
/// token authentication), which throws when the server refuses or cannot be reached. The client's background batching
/// <c>WriteApi</c> is not used: it reports failures on an event and drops the points, where the ingest writer must know to
/// write the batch again. History is read with InfluxQL over <c>/query</c> (InfluxDB.Client 5.x has no InfluxQL API), the
/// bucket named as the database through its DBRP mapping.
/// </summary>
internal sealed class InfluxV2Store : ITimeSeriesStore, IDisposable
{
    private readonly InfluxDBClient _client;
    private readonly WriteApiAsync _writeApi;
    private readonly HttpClient _http;
    private readonly InfluxQlReader _reader;
    private readonly ILogger _logger;
    private readonly string _bucket;
    private readonly string _org;
    private readonly Uri _url;

    public InfluxV2Store(InfluxOptions options, ILogger<InfluxV2Store> logger)
    {
        options.ThrowIfInvalid(InfluxOptions.InfluxDb2);
        _logger = logger;
        _bucket = options.Bucket!;
        _org = options.Org!;
        _url = options.BaseAddress();
        _client = new InfluxDBClient(new InfluxDBClientOptions.Builder()
            .Url(options.Url)
            .AuthenticateToken(options.Token)
            .Org(_org)
            .Bucket(_bucket)
            .TimeOut(options.Timeout)
            .Build());
        _client.EnableGzip();
        _writeApi = _client.GetWriteApiAsync();
        _http = InfluxHttp.CreateClient(options, new AuthenticationHeaderValue("Token", options.Token));
        _reader = new InfluxQlReader(_http, _bucket, options.RetentionPolicy, logger, Kind);
        logger.Configured(Kind, _url, _bucket, options.RetentionPolicy);
    }

    public string Kind => InfluxOptions.InfluxDb2;

    public async Task<StoreWriteResult> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken cancellationToken)
    {
        var result = new StoreWriteResult(batches.Sum(b => b.Readings.Count), batches.Sum(b => b.Events.Count));
        if (result.Readings + result.Events == 0)
        {
            return result;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _writeApi.WriteRecordsAsync(LineProtocol.Lines(batches), WritePrecision.Ms, _bucket, _org, cancellationToken);
        }
        catch (HttpException ex)
        {
            var status = ex.Status == 0 ? (HttpStatusCode?)null : (HttpStatusCode)ex.Status;
            var text = string.IsNullOrWhiteSpace(ex.Message) ? "no error text" : ex.Message;
            throw new InfluxException(
                status is null
                    ? $"write: InfluxDB at {_url} is unreachable: {text}"
                    : $"write: InfluxDB refused with {ex.Status} {status}: {text}",
                status,
                ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InfluxException($"write: InfluxDB at {_url} is unreachable: {ex.Message}", null, ex);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _logger.Wrote(result.Readings, result.Events, Kind, elapsed);
        return result;
    }

    public Task<IReadOnlyList<ReadingBucket>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        _reader.QueryAsync(query, cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }
}
