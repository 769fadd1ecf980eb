using System.Data;
using MiniExcelLibs;

namespace Campus.IoT.Hazards.Reports;

/// <summary>
/// Writes tables as one XLSX workbook, a sheet per table with its Chinese headers, through MiniExcel (streamed, to any
/// stream). Strings stay strings (a description starting with <c>=</c> is text, not a formula); counts and money are numbers.
/// </summary>
internal static class XlsxExport
{
    public static async Task WriteAsync(IEnumerable<ListTable> tables, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(output);
        var sheets = new Dictionary<string, object>(StringComparer.Ordinal);
        var owned = new List<DataTable>();
        try
        {
            foreach (var table in tables)
            {
                var data = ToDataTable(table);
                owned.Add(data);
                sheets.Add(table.Name, data);
            }

            await MiniExcel.SaveAsAsync(output, sheets, printHeader: true, excelType: ExcelType.XLSX, cancellationToken: cancellationToken);
        }
        finally
        {
            foreach (var data in owned)
            {
                data.Dispose();
            }
        }
    }

    /// <summary>The three lists in one workbook: sheets 问题隐患清单, 整改措施清单, 责任落实清单.</summary>
    public static Task WriteAsync(ThreeLists lists, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lists);
        return WriteAsync(lists.Tables(), output, cancellationToken);
    }

    private static DataTable ToDataTable(ListTable table)
    {
        var data = new DataTable(table.Name) { Locale = System.Globalization.CultureInfo.InvariantCulture };
        for (var c = 0; c < table.Headers.Count; c++)
        {
            data.Columns.Add(table.Headers[c], ColumnType(table, c));
        }

        foreach (var row in table.Rows)
        {
            data.Rows.Add([.. row.Select(v => v ?? DBNull.Value)]);
        }

        return data;
    }

    /// <summary>The column's type from its values: a number type when every value present is one, else string.</summary>
    private static Type ColumnType(ListTable table, int column)
    {
        var types = table.Rows.Select(r => r[column]?.GetType()).OfType<Type>().Distinct().ToList();
        return types.Count == 1 && (types[0] == typeof(int) || types[0] == typeof(decimal) || types[0] == typeof(double) || types[0] == typeof(long)) ? types[0] : typeof(string);
    }
}
