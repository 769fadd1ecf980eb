namespace Campus.IoT.Alerting.Cluster;

/// <summary>
/// The gateway messages (seq and ts) a school's engine has taken, so the copy of a message forwarded by a second node is
/// dropped. Bounded: per gateway the newest <see cref="PerGateway"/> are kept. A set, never a high-water mark: telemetry
/// and events arrive on separate connections, and a fire event must not be dropped for arriving after a later reading.
/// The message's ts is part of the key: a replaced gateway that numbers from 1 again sends new messages under old numbers.
/// </summary>
internal sealed class SeenInputs
{
    public const int PerGateway = 16_384;

    private readonly Dictionary<string, (HashSet<MessageId> Set, Queue<MessageId> Order)> _gateways = new(StringComparer.Ordinal);

    /// <summary>True the first time the message is seen (take it), false for a copy.</summary>
    public bool Add(string gateway, MessageId message)
    {
        if (!_gateways.TryGetValue(gateway, out var seen))
        {
            seen = (new HashSet<MessageId>(), new Queue<MessageId>());
            _gateways[gateway] = seen;
        }

        if (!seen.Set.Add(message))
        {
            return false;
        }

        seen.Order.Enqueue(message);
        if (seen.Order.Count > PerGateway)
        {
            seen.Set.Remove(seen.Order.Dequeue());
        }

        return true;
    }

    /// <summary>Forgets a message whose processing failed, so the retry is taken rather than dropped as a copy.</summary>
    public void Remove(string gateway, MessageId message)
    {
        if (_gateways.TryGetValue(gateway, out var seen))
        {
            seen.Set.Remove(message);
        }
    }
}
