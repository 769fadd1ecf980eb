using System.Security.Claims;
using Campus.IoT.Dashboard.Api;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Campus.IoT.Dashboard.Auth;

/// <summary>
/// <c>GET /api/auth/csrf</c>, <c>POST /api/auth/login</c>, <c>POST /api/auth/logout</c>, <c>GET /api/auth/me</c>,
/// <c>POST /api/auth/password</c>; <c>GET|POST /api/users</c> for district admins.
/// </summary>
internal static partial class AuthEndpoints
{
    public const int MinPasswordLength = 10;

    public static void MapAuthEndpoints(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/auth");

        // The anti-forgery token for this browser and user: send it in X-CSRF-TOKEN with every POST. A new one is needed after
        // signing in (the token is bound to the user).
        auth.MapGet("/csrf", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Ok(new { token = tokens.RequestToken, header = AuthSetup.CsrfHeader });
        }).AllowAnonymous();

        auth.MapPost("/login", async (HttpContext context, UserStore users, SignInThrottle throttle, ILoggerFactory loggers, LoginRequest? request) =>
        {
            var logger = loggers.CreateLogger("Campus.IoT.Dashboard.Auth");
            var name = request?.Username?.Trim() ?? string.Empty;
            if (name.Length == 0 || string.IsNullOrEmpty(request?.Password))
            {
                return Problems.BadRequest("username", "user name and password are required");
            }

            if (throttle.IsLocked(name))
            {
                LogLocked(logger, name);
                return Results.Problem(title: "Too many attempts", detail: $"too many wrong passwords for '{name}': try again in {SignInThrottle.Window.TotalMinutes:0} minutes", statusCode: StatusCodes.Status429TooManyRequests);
            }

            if (users.Verify(name, request.Password) is not { } user)
            {
                throttle.Failed(name);
                LogFailed(logger, name, context.Connection.RemoteIpAddress?.ToString() ?? "-");
                return Problems.Unauthorized("wrong user name or password");
            }

            throttle.Succeeded(name);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Roles.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme));
            LogSignedIn(logger, user.Username, user.Role);
            return Results.Ok(Me(Roles.Principal(user, "cookie")));
        }).AllowAnonymous();

        auth.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).RequireAuthorization(AuthSetup.SignedIn);

        auth.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(Me(user))).RequireAuthorization(AuthSetup.SignedIn);

        // A user who signed in with a one-time password may use only this (and me, logout) until they choose their own.
        auth.MapPost("/password", async (HttpContext context, UserStore users, PasswordRequest? request) =>
        {
            var user = context.User;
            if (user.Identity?.AuthenticationType != CookieAuthenticationDefaults.AuthenticationScheme)
            {
                return Problems.Forbidden("only a signed-in account has a password to change");
            }

            if (string.IsNullOrEmpty(request?.Current) || users.Verify(user.Username(), request.Current) is null)
            {
                return Problems.BadRequest("current", "the current password is wrong");
            }

            if (request.New is not { Length: >= MinPasswordLength } fresh || fresh == request.Current)
            {
                return Problems.BadRequest("new", $"the new password must have at least {MinPasswordLength} characters and differ from the current one");
            }

            users.SetPassword(user.Username(), fresh, mustChange: false);
            var updated = users.Find(user.Username())!;
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Roles.Principal(updated, CookieAuthenticationDefaults.AuthenticationScheme));
            return Results.Ok(Me(Roles.Principal(updated, "cookie")));
        }).RequireAuthorization(AuthSetup.SignedIn);

        var admin = routes.MapGroup("/api/users");
        admin.MapGet("/", (ClaimsPrincipal user, UserStore users) =>
            user.IsDistrictAdmin()
                ? Results.Ok(users.All().Select(u => new { u.Username, u.DisplayName, u.Role, u.Sites, u.Rooms, u.MustChangePassword, u.Disabled }))
                : Problems.Forbidden("only a district admin manages users"));

        // A new user with a password chosen by the admin: it must be changed at the first sign-in.
        admin.MapPost("/", (ClaimsPrincipal user, UserStore users, NewUserRequest? request) =>
        {
            if (!user.IsDistrictAdmin())
            {
                return Problems.Forbidden("only a district admin manages users");
            }

            if (request?.Username is not { } name || !Identifier.IsValid(name))
            {
                return Problems.BadRequest("username", "username must match [a-z0-9][a-z0-9-]{0,62}");
            }

            if (!Roles.IsValid(request.Role))
            {
                return Problems.BadRequest("role", $"role must be one of {string.Join(", ", Roles.All)}");
            }

            var sites = request.Sites ?? [];
            if (sites.Length == 0 || sites.Any(s => s != "*" && !Identifier.IsValid(s)))
            {
                return Problems.BadRequest("sites", "sites must list site identifiers (or *)");
            }

            var rooms = request.Rooms ?? [];
            if (request.Role is Roles.LabManager or Roles.CanteenManager && rooms.Length == 0)
            {
                return Problems.BadRequest("rooms", "a lab or canteen manager needs the device globs of their rooms (e.g. lab3-*)");
            }

            if (request.Password is not { Length: >= MinPasswordLength })
            {
                return Problems.BadRequest("password", $"the initial password must have at least {MinPasswordLength} characters");
            }

            var created = new CampusUser
            {
                Username = name,
                DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? name : request.DisplayName.Trim(),
                Role = request.Role!,
                Sites = sites,
                Rooms = rooms,
                MustChangePassword = true,
            };
            return users.Add(created, request.Password)
                ? Results.Created($"/api/users/{name}", new { created.Username, created.DisplayName, created.Role, created.Sites, created.Rooms })
                : Problems.Conflict($"user {name} exists");
        });
    }

    private static object Me(ClaimsPrincipal user) => new
    {
        username = user.Username(),
        displayName = user.DisplayName(),
        role = user.Role(),
        sites = user.Sites(),
        rooms = user.Rooms(),
        mustChangePassword = user.MustChangePassword(),
        anonymous = user.Identity?.AuthenticationType == "anonymous",
    };

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Sign-in failed for '{User}' from {Address}")]
    private static partial void LogFailed(ILogger logger, string user, string address);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Sign-in refused for '{User}': locked after too many wrong passwords")]
    private static partial void LogLocked(ILogger logger, string user);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "'{User}' signed in as {Role}")]
    private static partial void LogSignedIn(ILogger logger, string user, string role);
}

internal sealed record LoginRequest(string? Username, string? Password);

internal sealed record PasswordRequest(string? Current, string? New);

internal sealed record NewUserRequest(string? Username, string? DisplayName, string? Role, string[]? Sites, string[]? Rooms, string? Password);
