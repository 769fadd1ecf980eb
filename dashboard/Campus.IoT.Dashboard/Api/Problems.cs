namespace Campus.IoT.Dashboard.Api;

/// <summary>RFC 7807 problem+json answers with a title and a detail a person can act on.</summary>
internal static class Problems
{
    public static IResult BadRequest(string parameter, string detail) =>
        Results.Problem(title: $"Invalid '{parameter}'", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string detail) =>
        Results.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string detail) =>
        Results.Problem(title: "Conflict", detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static IResult Forbidden(string detail) =>
        Results.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static IResult Unauthorized(string detail) =>
        Results.Problem(title: "Sign-in required", detail: detail, statusCode: StatusCodes.Status401Unauthorized);
}
