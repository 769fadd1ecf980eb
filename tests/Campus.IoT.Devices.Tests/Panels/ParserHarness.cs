using Campus.IoT.Devices.Panels;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Devices.Tests.Panels;

/// <summary>Properties every panel parser must have, whatever its protocol.</summary>
internal static class ParserHarness
{
    public static IReadOnlyList<PanelRecord> FeedAll(IPanelParser parser, ReadOnlySpan<byte> bytes) => [.. parser.Feed(bytes), .. parser.Flush()];

    /// <summary>A stable one-line description of a record, for comparing runs.</summary>
    public static string Describe(PanelRecord record) =>
        record.Event is { } e
            ? $"event {e.Device} {e.Type.ToWire()} {e.State.ToWire()} point={e.Point} zone={e.Zone} label={e.Label} raw={e.Raw} reply={Hex(record.Reply)}"
            : record.Error is { } error ? $"error {error.Reason} raw={error.Raw} reply={Hex(record.Reply)}" : $"reply {Hex(record.Reply)}";

    /// <summary>Random and mutated bytes never make a parser throw, and what it returns is well-formed.</summary>
    public static void Random_bytes_never_throw(Func<IPanelParser> create, IReadOnlyList<byte[]> seeds, int rounds = 2000, int randomSeed = 26875)
    {
        var random = new Random(randomSeed);
        for (var round = 0; round < rounds; round++)
        {
            byte[] input;
            if (seeds.Count > 0 && round % 2 == 0)
            {
                // Mutate a valid capture: flip, drop, duplicate or insert bytes.
                input = [.. seeds[random.Next(seeds.Count)]];
                var edits = 1 + random.Next(4);
                var list = input.ToList();
                for (var i = 0; i < edits && list.Count > 0; i++)
                {
                    var at = random.Next(list.Count);
                    switch (random.Next(4))
                    {
                        case 0: list[at] ^= (byte)(1 << random.Next(8)); break;
                        case 1: list.RemoveAt(at); break;
                        case 2: list.Insert(at, list[at]); break;
                        default: list.Insert(at, (byte)random.Next(256)); break;
                    }
                }

                input = [.. list];
            }
            else
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
            }

            var parser = create();
            var records = new List<PanelRecord>();
            var offset = 0;
            while (offset < input.Length)
            {
                var chunk = Math.Min(input.Length - offset, 1 + random.Next(64));
                records.AddRange(parser.Feed(input.AsSpan(offset, chunk)));
                offset += chunk;
            }

            records.AddRange(parser.Flush());
            Assert.All(records, r => Assert.True(r.Event is null || r.Error is null, "a record is an event or an error, never both"));
            Assert.All(records, r => Assert.True(r.Event is not null || r.Error is not null || r.Reply is not null, "a record that is neither carries a reply"));
            Assert.All(records.Where(r => r.Error is not null), r => Assert.Matches("^[a-z0-9_]+$", r.Error!.Reason));
            Assert.True(parser.NoiseBytes >= 0);
        }
    }

    /// <summary>Feeding a capture in two pieces, split at every position, gives the same records as feeding it whole.</summary>
    public static void Split_anywhere_gives_the_same_records(Func<IPanelParser> create, byte[] capture)
    {
        var whole = FeedAll(create(), capture).Select(Describe).ToList();
        Assert.NotEmpty(whole);
        for (var split = 1; split < capture.Length; split++)
        {
            var parser = create();
            var records = new List<PanelRecord>();
            records.AddRange(parser.Feed(capture.AsSpan(0, split)));
            records.AddRange(parser.Feed(capture.AsSpan(split)));
            records.AddRange(parser.Flush());
            Assert.Equal(whole, records.Select(Describe).ToList());
        }
    }

    public static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexString(bytes);
}
