using Campus.IoT.Hazards;

namespace Campus.IoT.Dashboard.Api;

/// <summary>Reads a wire name from the query string (<c>TryParse</c> of <see cref="HazardNames"/>).</summary>
internal delegate bool WireNameParser<T>(string? text, out T value);

/// <summary>The query parameters the hazard routes share: the register's list and the three lists read them alike.</summary>
internal static class HazardQuery
{
    public const string Categories = "fire, food_safety, lab_chemicals, traffic, buildings, facilities or other";
    public const string Statuses = "registered, rectifying, awaiting_verification or closed";
    public const string Risks = "major, significant, general or low";

    /// <summary>
    /// The value of <paramref name="parameter"/> when given: null (and no problem) when absent, a 400 problem when it is not
    /// one of <paramref name="expected"/>.
    /// </summary>
    public static IResult? Name<T>(IQueryCollection query, string parameter, WireNameParser<T> parse, string expected, out T? value)
        where T : struct
    {
        value = null;
        if (query[parameter].ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        if (!parse(text, out var parsed))
        {
            return Problems.BadRequest(parameter, $"{parameter} must be {expected}");
        }

        value = parsed;
        return null;
    }
}
