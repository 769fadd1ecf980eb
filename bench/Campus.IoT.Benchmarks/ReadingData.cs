using System.Globalization;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// One school's temperature stream as the ingest writer sees it: 200 devices behind 20 gateways (10 devices each), every
/// device read every 30 s; one message per gateway per round carries its 10 readings; the writer takes 500 messages per
/// <c>Write</c> (its maximum batch), i.e. 25 rounds = 5000 rows. Timestamps rise from round to round.
/// </summary>
internal static class ReadingData
{
    public const string Site = "school-01";
    public const int Devices = 200;
    public const int DevicesPerGateway = 10;
    public const int Gateways = Devices / DevicesPerGateway;
    public const int MessagesPerWrite = 500;
    public const int RoundsPerWrite = MessagesPerWrite / Gateways;
    public const int RowsPerWrite = MessagesPerWrite * DevicesPerGateway;

    /// <summary>Rounds in one day at 30 s.</summary>
    public const int RoundsPerDay = 24 * 60 * 2;

    public static readonly DateTimeOffset DayStart = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    public static readonly string[] DeviceNames = [.. Enumerable.Range(0, Devices).Select(i => string.Create(CultureInfo.InvariantCulture, $"d-{i:D3}"))];
    public static readonly string[] GatewayNames = [.. Enumerable.Range(1, Gateways).Select(i => string.Create(CultureInfo.InvariantCulture, $"gw-{i:D2}"))];

    /// <summary>The <c>Write</c> calls for rounds [firstRound, firstRound + rounds), in order, 25 rounds (500 messages) each.</summary>
    public static List<IngestBatch[]> Writes(int firstRound, int rounds)
    {
        var result = new List<IngestBatch[]>((rounds + RoundsPerWrite - 1) / RoundsPerWrite);
        for (var start = 0; start < rounds; start += RoundsPerWrite)
        {
            var count = Math.Min(RoundsPerWrite, rounds - start);
            var batches = new IngestBatch[count * Gateways];
            var m = 0;
            for (var r = 0; r < count; r++)
            {
                var round = firstRound + start + r;
                var ts = DayStart + (Interval * round);
                for (var g = 0; g < Gateways; g++)
                {
                    var readings = new Reading[DevicesPerGateway];
                    for (var d = 0; d < DevicesPerGateway; d++)
                    {
                        var device = (g * DevicesPerGateway) + d;
                        var value = 20.0 + (device % 7) + (Math.Sin(round / 120.0) * 1.5) + (round % 13 * 0.01);
                        readings[d] = new Reading(DeviceNames[device], Metrics.Temperature, Math.Round(value, 2), ts);
                    }

                    batches[m++] = new IngestBatch(Site, GatewayNames[g], round, readings, []);
                }
            }

            result.Add(batches);
        }

        return result;
    }
}
