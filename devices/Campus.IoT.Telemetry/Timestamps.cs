using System.Globalization;
using System.Text;

namespace Campus.IoT.Telemetry;

/// <summary>RFC 3339 timestamps as the contract uses them: UTC, millisecond precision.</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString(UtcMillisecondsConverter.Format, CultureInfo.InvariantCulture);

    /// <summary>Parses an RFC 3339 timestamp that carries an offset (<c>Z</c> or <c>±hh:mm</c>), truncated to milliseconds, in UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length < 20 || text[10] is not ('T' or 't'))
        {
            return false;
        }

        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset)
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        value = TruncateToMilliseconds(parsed.ToUniversalTime());
        return true;
    }

    /// <summary>
    /// The same as <see cref="TryParse(string?, out DateTimeOffset)"/> on UTF-8 text, for every input. The spelling gateways
    /// send (<c>yyyy-MM-ddTHH:mm:ss[.f…]Z</c> or <c>±hh:mm</c>, up to 7 fraction digits, upper-case <c>T</c> and <c>Z</c>) is
    /// read digit by digit with no string and no allocation; anything else (lower case, a leap second, more digits, years 1
    /// and 9999 near the edges of the range) goes through the general parser.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out DateTimeOffset value) =>
        TryParseCanonical(utf8, out value) || TryParse(Encoding.UTF8.GetString(utf8), out value);

    private static bool TryParseCanonical(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9')
            {
                fraction = (fraction * 10) + (s[i] - '0');
                i++;
            }

            var digits = i - start;
            if (digits is < 1 or > 7)
            {
                return false;
            }

            for (var d = digits; d < 7; d++)
            {
                fraction *= 10;
            }
        }

        long offsetMinutes;
        var rest = s[i..];
        if (rest.Length == 1 && rest[0] == 'Z')
        {
            offsetMinutes = 0;
        }
        else if (rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && rest[3] == ':' && Digits(rest, 1, 2, out var oh) && Digits(rest, 4, 2, out var om)
            && oh <= 13 && om <= 59)
        {
            offsetMinutes = (rest[0] == '-' ? -1 : 1) * ((oh * 60) + om);
        }
        else
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fraction;
        var utc = local - (offsetMinutes * TimeSpan.TicksPerMinute);
        value = new DateTimeOffset(utc - (utc % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), value.Offset);

    public static long ToUnixMilliseconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMilliseconds(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
