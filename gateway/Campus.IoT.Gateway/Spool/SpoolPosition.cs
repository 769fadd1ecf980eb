namespace Campus.IoT.Gateway.Spool;

/// <summary>A place in a lane: segment number and byte offset in it.</summary>
internal readonly record struct SpoolPosition(long Segment, long Offset) : IComparable<SpoolPosition>
{
    public int CompareTo(SpoolPosition other) => Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    public static bool operator <(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) > 0;

    public static bool operator <=(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) <= 0;

    public static bool operator >=(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) >= 0;
}
