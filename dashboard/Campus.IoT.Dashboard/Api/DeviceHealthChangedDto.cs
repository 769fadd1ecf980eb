namespace Campus.IoT.Dashboard.Api;

/// <summary>
/// The hub's <c>deviceHealthChanged</c> message to a school's group: the school's new summary and what changed (at most
/// <see cref="MaxChanges"/> changes listed, <see cref="More"/> counts the rest — a page re-reads the school for the full list).
/// </summary>
internal sealed record DeviceHealthChangedDto(string Site, string At, SiteHealthDto Summary, IReadOnlyList<HealthChangeDto> Changes, int More)
{
    public const int MaxChanges = 100;
}
