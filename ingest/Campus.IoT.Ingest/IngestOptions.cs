namespace Campus.IoT.Ingest;

/// <summary>Ingest settings, section <c>Campus:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "Campus:Ingest";

    /// <summary>
    /// MQTT 5 shared-subscription group: instances with the same group share the telemetry (<c>$share/{group}/campus/v1/+/+/…</c>).
    /// Empty for a plain subscription (the embedded MQTTnet broker has no shared subscriptions, so the single-machine platform
    /// uses a plain one).
    /// </summary>
    public string SharedGroup { get; set; } = "ingest";

    /// <summary>Messages held in memory between the receiver and the writer; when full the receiver waits (back-pressure).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Messages per store write.</summary>
    public int MaxBatchMessages { get; set; } = 500;

    /// <summary>
    /// When the stream is busy (the writer finds at least a tenth of <see cref="MaxBatchMessages"/> waiting), how long it lets
    /// a batch that is not full wait for more messages before it writes it (Telegraf's <c>flush_interval</c>, Kafka's
    /// <c>linger.ms</c>); it writes sooner when no message has arrived for a tenth of this (the stream paused). A store write
    /// costs per page it dirties more than per row, so under load fuller batches cost less CPU per reading. At a school's
    /// rate there is no linger: a message is written as it arrives. Alerting subscribes on its own and never waits for
    /// this. Zero never lingers.
    /// </summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Receive Maximum sent to the broker: how many QoS 1 messages may be unacknowledged at once. Acknowledgement waits for the
    /// store, so this must cover at least a batch; Mosquitto honours it for MQTT 5 clients.
    /// </summary>
    public int ReceiveMaximum { get; set; } = 4000;

    /// <summary>The disk spill used while the store is down: beyond this many bytes ingest stops taking messages (the broker keeps them).</summary>
    public long SpillMaxBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Rejected messages kept with their payload for operators.</summary>
    public int DeadLetterCapacity { get; set; } = 10_000;

    /// <summary>Store write attempts (with exponential back-off) before a batch goes to the disk spill.</summary>
    public int WriteAttempts { get; set; } = 3;

    /// <summary>Time allowed for one store write before it counts as failed.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Embedded store retention: raw readings, 1-minute and 1-hour rollups, in days (0 keeps them forever).</summary>
    public int RawRetentionDays { get; set; } = 90;

    public int MinuteRollupRetentionDays { get; set; } = 730;

    public int HourRollupRetentionDays { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SharedGroup.Length > 0 && (SharedGroup.Contains('/', StringComparison.Ordinal) || SharedGroup.Contains('+', StringComparison.Ordinal) || SharedGroup.Contains('#', StringComparison.Ordinal)))
        {
            errors.Add($"{Section}:SharedGroup '{SharedGroup}' may not contain '/', '+' or '#'");
        }

        Check(errors, QueueCapacity is >= 10 and <= 1_000_000, "QueueCapacity", "10..1000000");
        Check(errors, MaxBatchMessages is >= 1 and <= 10_000, "MaxBatchMessages", "1..10000");
        Check(errors, ReceiveMaximum is >= 1 and <= 65_535, "ReceiveMaximum", "1..65535");
        Check(errors, SpillMaxBytes >= 1024 * 1024, "SpillMaxBytes", "at least 1 MiB");
        Check(errors, DeadLetterCapacity is >= 10 and <= 10_000_000, "DeadLetterCapacity", "10..10000000");
        Check(errors, WriteAttempts is >= 1 and <= 100, "WriteAttempts", "1..100");
        Check(errors, WriteTimeout > TimeSpan.Zero, "WriteTimeout", "positive");
        Check(errors, BatchLinger >= TimeSpan.Zero && BatchLinger <= TimeSpan.FromSeconds(10), "BatchLinger", "0..10 s");
        Check(errors, RawRetentionDays >= 0 && MinuteRollupRetentionDays >= 0 && HourRollupRetentionDays >= 0, "*RetentionDays", "0 (keep) or more days");
        return errors;
    }

    internal static TimeSpan? Days(int days) => days > 0 ? TimeSpan.FromDays(days) : null;

    private static void Check(List<string> errors, bool ok, string name, string range)
    {
        if (!ok)
        {
            errors.Add($"{Section}:{name} must be {range}");
        }
    }
}
