using System.Collections.Concurrent;
using Campus.IoT.Dashboard.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Auth;

/// <summary>
/// Sign-in for the dashboard host: cookie authentication (HttpOnly, SameSite=Strict), users in <see cref="UserStore"/>,
/// every API route and the hub behind a signed-in user (a fallback policy) with per-site checks in the routes themselves,
/// anti-forgery tokens on every state-changing request that a cookie authenticates, the first admin with a one-time
/// password printed to the log, and an optional anonymous guard for the demo and kiosks.
/// </summary>
internal static partial class AuthSetup
{
    public const string CookieName = "campus.auth";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    /// <summary>Signed in, whatever the password state: for the routes a user with a one-time password may use.</summary>
    public const string SignedIn = "signed-in";

    public static void AddCampusAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => new UserStore(sp.GetRequiredService<IOptions<CampusOptions>>().Value.UsersPath(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SignInThrottle>();
        services.AddHostedService<AdminBootstrap>();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "campus.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            // An API answers 401/403 (problem+json through the status-code pages); pages are sent to the sign-in page by
            // the page guard below, not by the cookie handler.
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<CampusOptions>>((cookie, campus) => cookie.ExpireTimeSpan = campus.Value.Auth.Session);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireAssertion(c => !c.User.MustChangePassword()).Build())
            .AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
    }

    /// <summary>The middleware, in order: who the user is, the anonymous guard, pages to sign-in, anti-forgery.</summary>
    public static void UseCampusAuth(this WebApplication app)
    {
        app.UseAuthentication();
        // Read from configuration here (the options are validated at start, after the pipeline is built).
        var auth = app.Configuration.GetSection($"{CampusOptions.Section}:Auth").Get<AuthOptions>() ?? new AuthOptions();
        if (auth.Anonymous is { Length: > 0 } role)
        {
            LogAnonymous(app.Logger, role, auth.AnonymousSites);
            var visitor = Roles.Principal(
                new CampusUser { Username = "visitor", DisplayName = "值班员（演示）/ guard (demo)", Role = role, Sites = auth.AnonymousSites.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) },
                "anonymous");
            app.Use((context, next) =>
            {
                if (context.User.Identity?.IsAuthenticated != true)
                {
                    context.User = visitor;
                }

                return next(context);
            });
        }

        // Pages (the board and the other dashboards) need a signed-in user; their scripts, styles and the sign-in page do not.
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            var isPage = path == "/" || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase);
            if (isPage && !path.Equals("/login.html", StringComparison.OrdinalIgnoreCase) && context.User.Identity?.IsAuthenticated != true)
            {
                context.Response.Redirect("/login.html?return=" + Uri.EscapeDataString(path + context.Request.QueryString));
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    /// <summary>
    /// Anti-forgery on every state-changing API request that a cookie authenticates (and on sign-in itself): a page of
    /// another site cannot make a signed-in browser acknowledge or shelve anything. Runs after routing, before the endpoint.
    /// </summary>
    public static void UseCampusAntiforgery(this WebApplication app) =>
        app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            var unsafeMethod = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
            var path = context.Request.Path;
            if (unsafeMethod && path.StartsWithSegments("/api")
                && (context.Request.Cookies.ContainsKey(CookieName) || path.StartsWithSegments("/api/auth/login")))
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    await Problems.BadRequest(CsrfHeader, $"a valid anti-forgery token is required: GET /api/auth/csrf and send it in {CsrfHeader}").ExecuteAsync(context);
                    return;
                }
            }

            await next(context);
        });

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Anonymous visitors are signed in as {Role} of sites {Sites} (Campus:Auth:Anonymous): for the demo or a locked guard-room kiosk only")]
    private static partial void LogAnonymous(ILogger logger, string role, string sites);
}

/// <summary>At first start (no users), the district admin <c>admin</c> with a one-time password printed to the log.</summary>
internal sealed partial class AdminBootstrap(UserStore users, ILogger<AdminBootstrap> logger) : IHostedService
{
    public const string AdminName = "admin";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (users.Count() == 0)
        {
            // Nodes sharing one users file may both find it empty: the insert never replaces a row, so exactly one creates
            // the admin and logs its password; the other finds the name taken and says so.
            var password = UserStore.NewPassword();
            if (users.Add(new CampusUser { Username = AdminName, DisplayName = "区安全办管理员 / district admin", Role = Roles.DistrictAdmin, Sites = ["*"], MustChangePassword = true }, password))
            {
                LogCreated(logger, AdminName, password);
            }
            else
            {
                LogCreatedElsewhere(logger, AdminName);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "First start: district admin '{User}' created with the one-time password {Password} — sign in at /login.html and choose a new password")]
    private static partial void LogCreated(ILogger logger, string user, string password);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "First start: district admin '{User}' was created at the same moment by another node sharing the users file; its log has the one-time password")]
    private static partial void LogCreatedElsewhere(ILogger logger, string user);
}

/// <summary>After 5 wrong passwords for a name within 15 minutes, that name is locked for 15 minutes (brute force).</summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset Since)> _failures = new(StringComparer.OrdinalIgnoreCase);

    public bool IsLocked(string username) =>
        _failures.TryGetValue(username, out var f) && f.Count >= MaxFailures && time.GetUtcNow() - f.Since < Window;

    public void Failed(string username)
    {
        var now = time.GetUtcNow();
        _failures.AddOrUpdate(username, (1, now), (_, f) => now - f.Since >= Window ? (1, now) : (f.Count + 1, f.Since));
    }

    public void Succeeded(string username) => _failures.TryRemove(username, out _);
}
