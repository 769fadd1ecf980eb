namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// The (gateway, seq) pairs a school's engine has taken, so the copy of a message forwarded by a second node is dropped.
/// Bounded: per gateway the newest <see cref="PerGateway"/> numbers are kept (telemetry and events arrive on separate
/// connections, so a window of numbers, never a high-water mark: a fire event must not be dropped for arriving after a
/// later reading).
/// </summary>
internal sealed class SeenInputs
{
    public const int PerGateway = 8192;

    private readonly Dictionary<string, (HashSet<long> Set, Queue<long> Order)> _gateways = new(StringComparer.Ordinal);

    /// <summary>True the first time the pair is seen (take it), false for a copy.</summary>
    public bool Add(string gateway, long seq)
    {
        if (!_gateways.TryGetValue(gateway, out var seen))
        {
            seen = (new HashSet<long>(), new Queue<long>());
            _gateways[gateway] = seen;
        }

        if (!seen.Set.Add(seq))
        {
            return false;
        }

        seen.Order.Enqueue(seq);
        if (seen.Order.Count > PerGateway)
        {
            seen.Set.Remove(seen.Order.Dequeue());
        }

        return true;
    }

    public bool Contains(string gateway, long seq) => _gateways.TryGetValue(gateway, out var seen) && seen.Set.Contains(seq);
}
