using System.Collections.Concurrent;

namespace Campus.IoT.Ingest;

/// <summary>
/// Follows each gateway's <c>seq</c> (one more per message, kept across the gateway's restarts): a jump forward is a gap
/// (messages that never arrived), a number at or below the last one is a duplicate (a replay after a lost PUBACK), and a
/// return to 1 after more than one is a gateway whose spool was reset. Counted per gateway for sensor health.
/// </summary>
internal sealed class SeqTracker
{
    private readonly ConcurrentDictionary<(string Site, string Gateway), GatewaySeq> _gateways = new();

    public SeqOutcome Observe(string site, string gateway, long seq)
    {
        var state = _gateways.GetOrAdd((site, gateway), _ => new GatewaySeq());
        lock (state)
        {
            state.Messages++;
            if (state.Last == 0)
            {
                state.Last = seq;
                return SeqOutcome.First;
            }

            if (seq == state.Last + 1)
            {
                state.Last = seq;
                return SeqOutcome.InOrder;
            }

            if (seq == 1 && state.Last > 1)
            {
                state.Resets++;
                state.Last = seq;
                return SeqOutcome.Reset;
            }

            if (seq <= state.Last)
            {
                state.Duplicates++;
                return SeqOutcome.Duplicate;
            }

            state.Missing += seq - state.Last - 1;
            state.Last = seq;
            return SeqOutcome.Gap;
        }
    }

    public IReadOnlyList<GatewaySeqSnapshot> Snapshot() =>
        [.. _gateways.Select(p =>
        {
            lock (p.Value)
            {
                return new GatewaySeqSnapshot(p.Key.Site, p.Key.Gateway, p.Value.Last, p.Value.Messages, p.Value.Missing, p.Value.Duplicates, p.Value.Resets);
            }
        }).OrderBy(s => s.Site, StringComparer.Ordinal).ThenBy(s => s.Gateway, StringComparer.Ordinal)];

    private sealed class GatewaySeq
    {
        public long Last { get; set; }

        public long Messages { get; set; }

        public long Missing { get; set; }

        public long Duplicates { get; set; }

        public long Resets { get; set; }
    }
}
