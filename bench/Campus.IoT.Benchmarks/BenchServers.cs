using Campus.IoT.Tests.Common;

namespace Campus.IoT.Benchmarks;

/// <summary>Real servers for the harnesses, started here on free loopback ports (the test fixtures' code, run outside xunit).</summary>
internal static class BenchServers
{
    public static async Task<OwnedMosquitto> StartMosquittoAsync(string directory)
    {
        _ = directory;
        var broker = new MosquittoBroker();
        await broker.StartOwnAsync();
        return new OwnedMosquitto(broker);
    }

    public static async Task<OwnedVictoriaMetrics> StartVictoriaMetricsAsync()
    {
        var server = new VictoriaMetricsServer();
        await server.StartAsync();
        return new OwnedVictoriaMetrics(server);
    }

    internal sealed class OwnedVictoriaMetrics(VictoriaMetricsServer server) : IAsyncDisposable
    {
        public string Url => server.Url.ToString();

        /// <summary>Samples stored in every series of the measurement_field name (after a flush).</summary>
        public async Task<long> CountSamplesAsync(string name) =>
            (await server.ExportAsync($"{{__name__=\"{name}\"}}")).Sum(s => (long)s.Timestamps.Count);

        public async ValueTask DisposeAsync() => await server.DisposeAsync();
    }

    internal sealed class OwnedMosquitto(MosquittoBroker broker) : IAsyncDisposable
    {
        public string Uri => broker.Uri;

        public int Port => broker.Port;

        public async ValueTask DisposeAsync() => await broker.DisposeAsync();
    }
}
