using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace Campus.IoT.Dashboard.Live;

/// <summary>
/// <c>/hubs/live</c>: pushes <c>alarmChanged</c> and <c>readings</c>. A client joins one group per site it watches, or
/// <c>*</c> for every site. (Per-site authorisation arrives with sign-in.)
/// </summary>
internal sealed class LiveHub : Hub
{
    public const string AllSites = "*";

    public static string GroupOf(string site) => "site:" + site;

    public Task JoinSite(string site) => Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(Check(site)));

    public Task LeaveSite(string site) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(Check(site)));

    private static string Check(string site) =>
        site == AllSites || Identifier.IsValid(site) ? site : throw new HubException($"'{site}' is not a site identifier or *");
}
