namespace Campus.IoT.Dashboard.Api;

/// <summary>One status change in a <c>deviceHealthChanged</c> message: a device or a gateway, its new and previous status (null: first seen).</summary>
internal sealed record HealthChangeDto(string Kind, string Id, string? Building, string Status, string? Previous, string[] Reasons);
