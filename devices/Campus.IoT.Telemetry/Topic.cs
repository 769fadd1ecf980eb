namespace Campus.IoT.Telemetry;

/// <summary>A contract topic: <c>campus/v1/{site}/{gateway}/{status|telemetry|events}</c>.</summary>
public readonly record struct Topic(string Site, string Gateway, TopicKind Kind)
{
    public const string Root = "campus/v1";

    /// <summary>Every gateway's messages of one kind, e.g. <c>campus/v1/+/+/telemetry</c>.</summary>
    public static string FilterAll(TopicKind kind) => $"{Root}/+/+/{Segment(kind)}";

    /// <summary>The MQTT 5 shared-subscription form of <see cref="FilterAll"/>.</summary>
    public static string SharedFilterAll(string group, TopicKind kind) =>
        Identifier.IsValid(group) ? $"$share/{group}/{FilterAll(kind)}" : throw new ArgumentException($"bad share group '{group}'", nameof(group));

    public static Topic Create(string site, string gateway, TopicKind kind)
    {
        if (!Identifier.IsValid(site))
        {
            throw new ArgumentException($"bad site identifier '{site}'", nameof(site));
        }

        if (!Identifier.IsValid(gateway))
        {
            throw new ArgumentException($"bad gateway identifier '{gateway}'", nameof(gateway));
        }

        return new Topic(site, gateway, kind);
    }

    public static bool TryParse(string? topic, out Topic result)
    {
        result = default;
        if (topic is null || !topic.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length + 1);
        var first = rest.IndexOf('/');
        if (first <= 0)
        {
            return false;
        }

        var site = rest[..first];
        rest = rest[(first + 1)..];
        var second = rest.IndexOf('/');
        if (second <= 0)
        {
            return false;
        }

        var gateway = rest[..second];
        var kindText = rest[(second + 1)..];
        TopicKind kind;
        if (kindText.SequenceEqual("telemetry"))
        {
            kind = TopicKind.Telemetry;
        }
        else if (kindText.SequenceEqual("events"))
        {
            kind = TopicKind.Events;
        }
        else if (kindText.SequenceEqual("status"))
        {
            kind = TopicKind.Status;
        }
        else
        {
            return false;
        }

        if (!Identifier.IsValid(site) || !Identifier.IsValid(gateway))
        {
            return false;
        }

        result = new Topic(site.ToString(), gateway.ToString(), kind);
        return true;
    }

    public override string ToString() => $"{Root}/{Site}/{Gateway}/{Segment(Kind)}";

    private static string Segment(TopicKind kind) => kind switch
    {
        TopicKind.Status => "status",
        TopicKind.Telemetry => "telemetry",
        TopicKind.Events => "events",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
