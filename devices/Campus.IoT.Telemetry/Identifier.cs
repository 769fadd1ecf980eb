namespace Campus.IoT.Telemetry;

/// <summary>Site, gateway and device identifiers: <c>[a-z0-9][a-z0-9-]{0,62}</c>.</summary>
public static class Identifier
{
    public const int MaxLength = 63;

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength || !IsLowerAlnum(value[0]))
        {
            return false;
        }

        foreach (var c in value[1..])
        {
            if (!IsLowerAlnum(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValid(string? value) => value is not null && IsValid(value.AsSpan());

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
