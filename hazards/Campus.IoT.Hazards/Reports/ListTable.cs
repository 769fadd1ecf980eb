namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// One list as a table for export: its sheet name, Chinese headers and cells (strings, the row number as an int, funds as a
/// decimal or null).
/// </summary>
internal sealed record ListTable(string Name, IReadOnlyList<string> Headers, IReadOnlyList<object?[]> Rows);
