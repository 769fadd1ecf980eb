namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>
/// One printer line as raw bytes, printer control sequences already removed, still in the panel's encoding (Latin-1 for
/// the English panels, GB18030 for the Chinese ones): a multi-byte character split across two reads is whole here.
/// </summary>
internal readonly record struct PrinterLine(byte[] Bytes, PrinterLineKind Kind)
{
    public bool IsBlank => Bytes.Length == 0;
}
