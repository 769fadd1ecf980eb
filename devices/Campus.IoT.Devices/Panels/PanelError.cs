namespace Campus.IoT.Devices.Panels;

/// <summary>A unit that could not be decoded: a stable snake_case reason (e.g. <c>bad_checksum</c>) and the raw text or hex.</summary>
public sealed record PanelError(string Reason, string Raw);
