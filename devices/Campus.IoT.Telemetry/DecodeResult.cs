namespace Campus.IoT.Telemetry;

/// <summary>One reading or event inside an otherwise valid message that was rejected.</summary>
public sealed record ItemRejection(int Index, RejectReason Reason, string Detail);

/// <summary>
/// The outcome of decoding one payload. Either the whole message is rejected (<see cref="Reason"/> set, <see cref="Value"/> null),
/// or it is accepted with the valid items in <see cref="Value"/> and the invalid ones, if any, in <see cref="ItemRejections"/>:
/// one bad reading never costs the good readings beside it.
/// </summary>
public sealed record DecodeResult<T>
    where T : class
{
    private DecodeResult(T? value, RejectReason? reason, string? detail, IReadOnlyList<ItemRejection> items)
    {
        Value = value;
        Reason = reason;
        Detail = detail;
        ItemRejections = items;
    }

    public T? Value { get; }

    public RejectReason? Reason { get; }

    public string? Detail { get; }

    public IReadOnlyList<ItemRejection> ItemRejections { get; }

    public bool IsAccepted => Value is not null;

    public static DecodeResult<T> Accept(T value, IReadOnlyList<ItemRejection> items) => new(value, null, null, items);

    public static DecodeResult<T> Reject(RejectReason reason, string detail) => new(null, reason, detail, []);
}
