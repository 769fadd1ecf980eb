using Campus.IoT.Dashboard.Auth;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace Campus.IoT.Dashboard.Live;

/// <summary>
/// <c>/hubs/live</c>: pushes <c>alarmChanged</c>, <c>notification</c>, <c>readings</c> and <c>deviceHealthChanged</c>. Only a signed-in user connects (the
/// fallback policy); a client joins one group per site it may see, or <c>*</c> when it sees every site. Lab and canteen
/// managers see their rooms only, which site groups cannot express: they use the room pages, not the live groups.
/// </summary>
internal sealed class LiveHub(ConsoleRegistry consoles) : Hub
{
    private const string JoinedKey = "sites";

    public const string AllSites = "*";

    public static string GroupOf(string site) => "site:" + site;

    public Task JoinSite(string site)
    {
        var allowed = Allowed(site);
        var joined = Context.Items.TryGetValue(JoinedKey, out var list) && list is HashSet<string> set ? set : [];
        joined.Add(allowed);
        Context.Items[JoinedKey] = joined;
        return Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(allowed));
    }

    /// <summary>
    /// A guard-room board says it is open and alive (every 10 s), for the schools it joined: the console watchdog raises an
    /// alarm for a school no board watches.
    /// </summary>
    public void ConsoleHeartbeat()
    {
        if (Context.Items.TryGetValue(JoinedKey, out var list) && list is HashSet<string> joined)
        {
            consoles.Beat(Context.ConnectionId, joined);
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        consoles.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public Task LeaveSite(string site) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(Check(site)));

    private string Allowed(string site)
    {
        var user = Context.User ?? throw new HubException("sign in first");
        if (user.Role() is Roles.LabManager or Roles.CanteenManager)
        {
            throw new HubException("lab and canteen managers see their rooms on the room pages, not a whole school's live feed");
        }

        return Check(site) == AllSites
            ? user.SeesAllSites() ? site : throw new HubException("only a user of every school may join *")
            : user.CanSeeSite(site) ? site : throw new HubException($"you have no access to {site}");
    }

    private static string Check(string site) =>
        site == AllSites || Identifier.IsValid(site) ? site : throw new HubException($"'{site}' is not a site identifier or *");
}
