namespace Campus.IoT.Dashboard.Devices;

/// <summary>One building mapping: devices matching <see cref="Devices"/> (a glob, optionally only at sites matching <see cref="Site"/>) are in <see cref="Building"/>.</summary>
internal sealed class BuildingRule
{
    public string Devices { get; set; } = string.Empty;

    public string? Site { get; set; }

    public string Building { get; set; } = string.Empty;
}
