using System.Globalization;
using System.Text;
using Campus.IoT.Tests.Common;

namespace Campus.IoT.Ingest.Tests.Process;

/// <summary>
/// Publishes telemetry like a gateway: QoS 1, rising seq, a fixed number of readings per message, every (device, ts) unique.
/// Counts what the broker accepted (PUBACK received): exactly what must end up stored.
/// </summary>
internal sealed class GatewayLikePublisher(string site, string gateway, int readingsPerMessage)
{
    private static readonly DateTimeOffset Base = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private long _seq;

    public string Site => site;

    public long Accepted { get; private set; }

    public long AcceptedReadings => Accepted * readingsPerMessage;

    /// <summary>Publishes <paramref name="messages"/> messages, pausing <paramref name="pause"/> after each <paramref name="every"/>.</summary>
    public async Task PublishAsync(TestMqtt mqtt, int messages, TimeSpan pause, int every = 10, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < messages; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seq = ++_seq;
            await mqtt.PublishAsync($"campus/v1/{site}/{gateway}/telemetry", Payload(seq));
            Accepted++;
            if (pause > TimeSpan.Zero && i % every == every - 1)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    private string Payload(long seq)
    {
        // Each message is one second of the gateway's devices: ts = base + seq seconds, so no two messages share a (device, ts).
        var ts = Base.AddSeconds(seq);
        var stamp = ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var json = new StringBuilder(64 + (readingsPerMessage * 80));
        json.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":\"{stamp}\",\"readings\":[");
        for (var d = 0; d < readingsPerMessage; d++)
        {
            json.Append(d == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $"{{\"device\":\"d{d:000}\",\"metric\":\"temperature\",\"value\":{(seq % 50) + (d / 10.0)},\"ts\":\"{stamp}\"}}");
        }

        return json.Append("]}").ToString();
    }
}
