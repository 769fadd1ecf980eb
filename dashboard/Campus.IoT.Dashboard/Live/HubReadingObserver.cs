using Campus.IoT.Dashboard.Api;
using Campus.IoT.Ingest;
using Campus.IoT.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace Campus.IoT.Dashboard.Live;

/// <summary>Pushes readings, once stored, to live pages watching the site.</summary>
internal sealed class HubReadingObserver(IHubContext<LiveHub> hub) : IReadingObserver
{
    public Task ReadingsStoredAsync(string site, string gateway, IReadOnlyList<Reading> readings, CancellationToken cancellationToken) =>
        hub.Clients.Groups([LiveHub.GroupOf(site), LiveHub.GroupOf(LiveHub.AllSites)])
            .SendAsync("readings", new ReadingsDto(site, gateway, readings.Select(ReadingDto.From).ToList()), cancellationToken);
}
