using System.Globalization;
using System.Text;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// Writes one table as CSV the way Excel on a Chinese Windows opens it correctly: UTF-8 with a byte-order mark, CRLF
/// records, RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted, quotes doubled). A text cell that starts with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR is prefixed with <c>'</c> so a spreadsheet never runs it as a formula
/// (OWASP "CSV injection"); numbers are written invariant and never prefixed.
/// </summary>
internal static class CsvExport
{
    private static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    public static async Task WriteAsync(ListTable table, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new StreamWriter(output, Utf8WithBom, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(Line(table.Headers.Cast<object?>()).AsMemory(), cancellationToken).ConfigureAwait(false);
            foreach (var row in table.Rows)
            {
                await writer.WriteLineAsync(Line(row).AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Line(IEnumerable<object?> cells) => string.Join(',', cells.Select(Field));

    /// <summary>One field: formatted invariant, guarded against formula injection, quoted when it must be.</summary>
    internal static string Field(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            decimal money => ListLabels.Yuan(money),
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => Guard(value.ToString() ?? string.Empty),
        };
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static string Guard(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
}
