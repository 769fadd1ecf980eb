namespace Campus.IoT.Dashboard.Api;

/// <summary>The payload of the hub's <c>readings</c> message.</summary>
internal sealed record ReadingsDto(string Site, string Gateway, IReadOnlyList<ReadingDto> Readings);
