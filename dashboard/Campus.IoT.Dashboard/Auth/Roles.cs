using System.Security.Claims;
using Campus.IoT.Alerting.Rules;

namespace Campus.IoT.Dashboard.Auth;

/// <summary>
/// The four kinds of people who use the platform and what each may do. A user also has the sites they belong to (<c>*</c>
/// for every site) and, for lab and canteen managers, the rooms they look after (device globs such as <c>lab3-*</c>).
/// </summary>
internal static class Roles
{
    /// <summary>Sees and acknowledges the alarms of their school.</summary>
    public const string Guard = "guard";

    /// <summary>A guard's rights, and shelving, maintenance windows and hazards.</summary>
    public const string SafetyOfficer = "safety_officer";

    /// <summary>Sees and acknowledges alarms and readings of their rooms (devices matching their room globs).</summary>
    public const string LabManager = "lab_manager";

    public const string CanteenManager = "canteen_manager";

    /// <summary>Every school, every action, and the users.</summary>
    public const string DistrictAdmin = "district_admin";

    public static readonly string[] All = [Guard, SafetyOfficer, LabManager, CanteenManager, DistrictAdmin];

    public const string SitesClaim = "campus:sites";
    public const string RoomsClaim = "campus:rooms";
    public const string MustChangePasswordClaim = "campus:must_change_password";

    public static bool IsValid(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    public static ClaimsPrincipal Principal(CampusUser user, string scheme)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, user.Username),
            new(ClaimTypes.Name, user.DisplayName),
            new(ClaimTypes.Role, user.Role),
            new(SitesClaim, string.Join(',', user.Sites)),
            new(RoomsClaim, string.Join(',', user.Rooms)),
        ];
        if (user.MustChangePassword)
        {
            claims.Add(new Claim(MustChangePasswordClaim, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>What a signed-in principal may see and do, from its role, sites and rooms claims.</summary>
internal static class Access
{
    public static string? Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role);

    public static string Username(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

    public static string DisplayName(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name) ?? user.Username();

    public static IReadOnlyList<string> Sites(this ClaimsPrincipal user) => Split(user.FindFirstValue(Roles.SitesClaim));

    public static IReadOnlyList<string> Rooms(this ClaimsPrincipal user) => Split(user.FindFirstValue(Roles.RoomsClaim));

    public static bool MustChangePassword(this ClaimsPrincipal user) => user.HasClaim(Roles.MustChangePasswordClaim, "true");

    public static bool IsDistrictAdmin(this ClaimsPrincipal user) => user.Role() == Roles.DistrictAdmin;

    /// <summary>Every site (a district admin, or a user given <c>*</c>).</summary>
    public static bool SeesAllSites(this ClaimsPrincipal user) => user.IsDistrictAdmin() || user.Sites().Contains("*");

    public static bool CanSeeSite(this ClaimsPrincipal user, string site) =>
        user.Identity?.IsAuthenticated == true && !user.MustChangePassword() && (user.SeesAllSites() || user.Sites().Contains(site, StringComparer.Ordinal));

    /// <summary>A room-bound manager sees only devices matching their rooms; everyone else every device of their sites.</summary>
    public static bool CanSeeDevice(this ClaimsPrincipal user, string site, string? device) =>
        user.CanSeeSite(site)
        && (user.Role() is not (Roles.LabManager or Roles.CanteenManager)
            || (device is not null && user.Rooms().Any(room => Glob.IsMatch(room, device))));

    /// <summary>Acknowledge: anyone who may see the alarm's device.</summary>
    public static bool CanAcknowledge(this ClaimsPrincipal user, string site, string? device) => user.CanSeeDevice(site, device);

    /// <summary>Shelve, maintenance windows, hazards: safety officers of the site and district admins.</summary>
    public static bool CanManage(this ClaimsPrincipal user, string site) =>
        user.CanSeeSite(site) && user.Role() is Roles.SafetyOfficer or Roles.DistrictAdmin;

    private static string[] Split(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
