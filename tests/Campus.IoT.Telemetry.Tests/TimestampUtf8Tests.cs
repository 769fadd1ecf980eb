using System.Globalization;
using System.Text;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Telemetry.Tests;

/// <summary>
/// The UTF-8 timestamp parser (no allocation for the spelling gateways send) must agree with the general string parser on
/// every input: same acceptance, same instant, same (zero) offset. Checked on a generated corpus of valid, edge and broken
/// spellings and on random single-byte corruptions of valid ones.
/// </summary>
public sealed class TimestampUtf8Tests
{
    public static TheoryData<string> Spellings => new()
    {
        "2026-11-28T09:30:00Z",
        "2026-11-28T09:30:00.125Z",
        "2026-11-28T09:30:00.1Z",
        "2026-11-28T09:30:00.1234567Z",
        "2026-11-28T09:30:00.12345678Z",
        "2026-11-28T09:30:00.999999999Z",
        "2026-11-28T09:30:00.Z",
        "2026-11-28T17:30:00.125+08:00",
        "2026-11-28T01:30:00.125-08:00",
        "2026-11-28T09:30:00-00:00",
        "2026-11-28T09:30:00+14:00",
        "2026-11-28T09:30:00+13:59",
        "2026-11-28T09:30:00+15:00",
        "2026-11-28T09:30:00+05:60",
        "2026-11-28t09:30:00z",
        "2026-11-28T09:30:00z",
        "2026-11-28 09:30:00Z",
        "2026-11-28T09:30:60Z",
        "2026-11-28T24:00:00Z",
        "2026-02-29T00:00:00Z",
        "2028-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59.9999999Z",
        "9999-12-31T23:00:00-01:00",
        "0000-01-01T00:00:00Z",
        "2026-11-28T09:30:00",
        "2026-11-28T09:30Z",
        "2026-11-28T09:30:00+0800",
        "2026-11-28T09:30:00+08",
        "２０２６-11-28T09:30:00Z",
        "2026-11-28T09:30:00.125Z ",
        " 2026-11-28T09:30:00.125Z",
        "",
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Utf8_and_string_parsers_agree(string text) => AssertAgree(text);

    [Fact]
    public void They_agree_on_thousands_of_generated_and_corrupted_timestamps()
    {
        var random = new Random(20261129);
        for (var n = 0; n < 20_000; n++)
        {
            var text = Generate(random);
            AssertAgree(text);

            // One byte changed to a character that matters to the grammar.
            var chars = text.ToCharArray();
            chars[random.Next(chars.Length)] = "0123456789-+:.TZtz 9"[random.Next(20)];
            AssertAgree(new string(chars));
        }
    }

    private static string Generate(Random random)
    {
        var year = random.Next(10) == 0 ? random.Next(0, 10000) : random.Next(1990, 2100);
        var month = random.Next(15) == 0 ? random.Next(0, 14) : random.Next(1, 13);
        var day = random.Next(15) == 0 ? random.Next(0, 33) : random.Next(1, 29);
        var hour = random.Next(20) == 0 ? 24 : random.Next(24);
        var minute = random.Next(20) == 0 ? 60 : random.Next(60);
        var second = random.Next(20) == 0 ? 60 : random.Next(60);
        var fraction = random.Next(11) switch
        {
            0 => string.Empty,
            10 => ".",
            var digits => "." + string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10)))),
        };
        var offset = random.Next(4) switch
        {
            0 => "Z",
            1 => random.Next(10) == 0 ? "z" : "Z",
            _ => string.Create(CultureInfo.InvariantCulture, $"{(random.Next(2) == 0 ? '+' : '-')}{random.Next(0, 16):00}:{(random.Next(10) == 0 ? 60 : random.Next(4) * 15):00}"),
        };
        var separator = random.Next(30) == 0 ? 't' : 'T';
        return string.Create(CultureInfo.InvariantCulture, $"{year:0000}-{month:00}-{day:00}{separator}{hour:00}:{minute:00}:{second:00}{fraction}{offset}");
    }

    private static void AssertAgree(string text)
    {
        var fromString = Timestamps.TryParse(text, out var expected);
        var fromUtf8 = Timestamps.TryParse(Encoding.UTF8.GetBytes(text), out var actual);
        Assert.True(fromString == fromUtf8, $"'{text}': string parser {(fromString ? "accepts" : "refuses")}, UTF-8 parser {(fromUtf8 ? "accepts" : "refuses")}");
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Offset, actual.Offset);
    }
}
