using System.Text;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Telemetry.Tests;

public sealed class IdentifierPoolTests
{
    [Fact]
    public void A_valid_identifier_comes_back_as_the_same_string_every_time()
    {
        var pool = new IdentifierPool();
        Assert.True(pool.TryGet("lab3-fridge-1"u8, out var first));
        Assert.True(pool.TryGet(Encoding.UTF8.GetBytes("lab3-fridge-1"), out var second));
        Assert.Equal("lab3-fridge-1", first);
        Assert.Same(first, second);
        Assert.True(pool.TryGet("lab3-fridge-2"u8, out var other));
        Assert.Equal("lab3-fridge-2", other);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Lab3-fridge")]
    [InlineData("-fridge")]
    [InlineData("fridge_1")]
    [InlineData("fridge 1")]
    [InlineData("fridgé")]
    [InlineData("冰箱")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void What_is_not_a_valid_identifier_is_refused(string text)
    {
        var pool = new IdentifierPool();
        Assert.False(pool.TryGet(Encoding.UTF8.GetBytes(text), out _));
        Assert.False(Identifier.IsValid(text));
    }

    [Fact]
    public void Past_its_capacity_it_starts_over_and_still_answers_correctly()
    {
        var pool = new IdentifierPool(capacity: 4);
        for (var i = 0; i < 20; i++)
        {
            var id = $"device-{i}";
            Assert.True(pool.TryGet(Encoding.UTF8.GetBytes(id), out var value));
            Assert.Equal(id, value);
        }

        Assert.True(pool.TryGet("device-19"u8, out var again));
        Assert.Equal("device-19", again);
    }
}
