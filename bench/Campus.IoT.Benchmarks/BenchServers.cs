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

    internal sealed class OwnedMosquitto(MosquittoBroker broker) : IAsyncDisposable
    {
        public string Uri => broker.Uri;

        public int Port => broker.Port;

        public async ValueTask DisposeAsync() => await broker.DisposeAsync();
    }
}
