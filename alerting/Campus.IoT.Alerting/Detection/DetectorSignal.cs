namespace Campus.IoT.Alerting.Detection;

/// <summary>What a detector concluded from a reading or from time passing.</summary>
public enum DetectorSignal
{
    /// <summary>No change: still normal, or still in alarm.</summary>
    None,

    /// <summary>The raise condition has held long enough: raise (or keep) the alarm.</summary>
    Raise,

    /// <summary>The clear condition has held long enough: the alarm may clear.</summary>
    Clear,
}
