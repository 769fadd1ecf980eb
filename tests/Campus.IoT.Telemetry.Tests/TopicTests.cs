using Campus.IoT.Telemetry;

namespace Campus.IoT.Telemetry.Tests;

public sealed class TopicTests
{
    [Theory]
    [InlineData("campus/v1/school-01/gw-1/telemetry", "school-01", "gw-1", TopicKind.Telemetry)]
    [InlineData("campus/v1/school-01/gw-1/events", "school-01", "gw-1", TopicKind.Events)]
    [InlineData("campus/v1/0/g/status", "0", "g", TopicKind.Status)]
    public void Parses_contract_topics(string text, string site, string gateway, TopicKind kind)
    {
        Assert.True(Topic.TryParse(text, out var topic));
        Assert.Equal(new Topic(site, gateway, kind), topic);
        Assert.Equal(text, topic.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("campus/v2/school-01/gw-1/telemetry")]
    [InlineData("campus/v1/school-01/gw-1")]
    [InlineData("campus/v1/school-01/gw-1/telemetry/extra")]
    [InlineData("campus/v1/School-01/gw-1/telemetry")]
    [InlineData("campus/v1/-school/gw-1/telemetry")]
    [InlineData("campus/v1/school-01//telemetry")]
    [InlineData("campus/v1/school_01/gw-1/events")]
    [InlineData("campus/v1/school-01/gw-1/commands")]
    [InlineData("campus/v1/+/+/telemetry")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(Topic.TryParse(text, out _));
    }

    [Fact]
    public void Builds_topics_and_filters()
    {
        Assert.Equal("campus/v1/school-01/gw-1/status", Topic.Create("school-01", "gw-1", TopicKind.Status).ToString());
        Assert.Equal("campus/v1/+/+/telemetry", Topic.FilterAll(TopicKind.Telemetry));
        Assert.Equal("$share/ingest/campus/v1/+/+/events", Topic.SharedFilterAll("ingest", TopicKind.Events));
        Assert.Throws<ArgumentException>(() => Topic.Create("School", "gw-1", TopicKind.Status));
        Assert.Throws<ArgumentException>(() => Topic.Create("school", "gw/1", TopicKind.Status));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("lab3-fridge-1", true)]
    [InlineData("0", true)]
    [InlineData("a-", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("A", false)]
    [InlineData("a_b", false)]
    [InlineData("a b", false)]
    [InlineData("学校", false)]
    public void Identifiers_follow_the_contract(string value, bool valid)
    {
        Assert.Equal(valid, Identifier.IsValid(value));
    }

    [Fact]
    public void Identifiers_are_at_most_63_characters()
    {
        Assert.True(Identifier.IsValid(new string('a', 63)));
        Assert.False(Identifier.IsValid(new string('a', 64)));
    }
}
