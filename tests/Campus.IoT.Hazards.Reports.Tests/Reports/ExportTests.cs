using System.Globalization;
using System.Text;
using Microsoft.VisualBasic.FileIO;
using MiniExcelLibs;
using static Campus.IoT.Hazards.Reports.Tests.Samples;

namespace Campus.IoT.Hazards.Reports.Tests;

/// <summary>
/// The exports read back by independent readers (MiniExcel's reader for the workbook, the framework's TextFieldParser for
/// CSV) and checked cell by cell against the hazards given, not against the rows the same code built.
/// </summary>
public sealed class ExportTests
{
    private const string Nasty = "=HYPERLINK(\"http://evil.example\",\"点我\"), 灭火器过期\n第二行 \"引号\", 逗号";
    private static readonly DateTimeOffset Now = Beijing(2026, 11, 30, 9, 0);

    private static List<Hazard> Hazards() =>
    [
        Hazard(7, "school-01", Beijing(2026, 11, 20, 14, 45), h =>
        {
            h.Description = Nasty;
            h.Location = "+教学楼, 3F";
            h.Category = HazardCategory.Fire;
            h.Risk = RiskLevel.Major;
            h.Source = HazardSource.Inspection;
            h.Status = HazardStatus.AwaitingVerification;
            h.Measures = "-更换灭火器";
            h.Funds = 1200.5m;
            h.Deadline = new DateOnly(2026, 11, 25);
            h.ResponsibleUnit = "总务处";
            h.ResponsiblePerson = "@王主任";
            h.Reinspector = "张校长";
            h.VerificationPassed = false;
            h.VerifiedAt = Beijing(2026, 11, 27, 16, 0);
        }),
        Hazard(8, "school-02", Beijing(2026, 11, 21, 8, 0), h =>
        {
            h.Description = "\t食堂排烟罩油污";
            h.Category = HazardCategory.FoodSafety;
            h.Risk = RiskLevel.Low;
            h.Source = HazardSource.Report;
        }),
    ];

    private static ThreeLists Lists() => ThreeLists.Build(Hazards(), HazardListFilter.All, Shanghai, Now);

    [Fact]
    public async Task The_workbook_has_the_three_sheets_with_chinese_headers_and_every_cell_reads_back_as_given()
    {
        using var stream = new MemoryStream();
        await XlsxExport.WriteAsync(Lists(), stream, CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(["问题隐患清单", "整改措施清单", "责任落实清单"], MiniExcel.GetSheetNames(stream));

        var problems = Rows(stream, "问题隐患清单");
        Assert.Equal(["序号", "学校", "位置", "类别", "隐患描述", "风险等级", "来源", "发现时间", "发现人", "状态", "是否逾期"], problems[0].Keys);
        Assert.Equal(2, problems.Count);
        var p = problems[0];
        Assert.Equal(1d, Convert.ToDouble(p["序号"], CultureInfo.InvariantCulture));
        Assert.Equal("school-01", p["学校"]);
        Assert.Equal("+教学楼, 3F", p["位置"]);
        Assert.Equal("消防安全", p["类别"]);
        Assert.Equal(Nasty, p["隐患描述"]);    // text, not a formula, and not prefixed: XLSX cells are typed
        Assert.Equal("重大风险", p["风险等级"]);
        Assert.Equal("隐患排查", p["来源"]);
        Assert.Equal("2026-11-20 14:45", p["发现时间"]);
        Assert.Equal("巡查员", p["发现人"]);
        Assert.Equal("待验收", p["状态"]);
        Assert.Equal("是", p["是否逾期"]);
        Assert.Equal(("school-02", "\t食堂排烟罩油污", "低风险", "人员上报", "已登记", "否"), ((string)problems[1]["学校"]!, (string)problems[1]["隐患描述"]!, (string)problems[1]["风险等级"]!, (string)problems[1]["来源"]!, (string)problems[1]["状态"]!, (string)problems[1]["是否逾期"]!));

        var measures = Rows(stream, "整改措施清单");
        Assert.Equal(["序号", "学校", "隐患描述", "整改措施", "整改资金(元)", "整改时限", "状态", "验收结果", "验收日期"], measures[0].Keys);
        var m = measures[0];
        Assert.Equal(Nasty, m["隐患描述"]);
        Assert.Equal("-更换灭火器", m["整改措施"]);
        Assert.Equal(1200.5m, Convert.ToDecimal(m["整改资金(元)"], CultureInfo.InvariantCulture));
        Assert.Equal("2026-11-25", m["整改时限"]);
        Assert.Equal("未通过", m["验收结果"]);
        Assert.Equal("2026-11-27", m["验收日期"]);
        Assert.Null(measures[1]["整改资金(元)"]);
        Assert.True(measures[1]["整改时限"] is null or "", "no deadline");

        var people = Rows(stream, "责任落实清单");
        Assert.Equal(["序号", "学校", "隐患描述", "责任单位", "责任人", "整改时限", "复查人", "状态", "是否逾期"], people[0].Keys);
        var r = people[0];
        Assert.Equal(("总务处", "@王主任", "2026-11-25", "张校长", "待验收", "是"), ((string)r["责任单位"]!, (string)r["责任人"]!, (string)r["整改时限"]!, (string)r["复查人"]!, (string)r["状态"]!, (string)r["是否逾期"]!));
    }

    [Fact]
    public async Task An_empty_workbook_still_has_three_sheets_with_their_headers()
    {
        using var stream = new MemoryStream();
        await XlsxExport.WriteAsync(ThreeLists.Build([], HazardListFilter.All, Shanghai, Now), stream, CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(["问题隐患清单", "整改措施清单", "责任落实清单"], MiniExcel.GetSheetNames(stream));
        var header = ((IDictionary<string, object?>)MiniExcel.Query(stream, useHeaderRow: false, sheetName: "整改措施清单").First()).Values;
        Assert.Equal(["序号", "学校", "隐患描述", "整改措施", "整改资金(元)", "整改时限", "状态", "验收结果", "验收日期"], header);
    }

    [Fact]
    public async Task Csv_is_utf8_with_bom_rfc4180_quoted_and_guarded_against_formula_injection()
    {
        var tables = Lists().Tables();
        var problems = await CsvAsync(tables[0]);
        Assert.Equal(["序号", "学校", "位置", "类别", "隐患描述", "风险等级", "来源", "发现时间", "发现人", "状态", "是否逾期"], problems[0]);
        Assert.Equal(["1", "school-01", "'+教学楼, 3F", "消防安全", "'" + Nasty, "重大风险", "隐患排查", "2026-11-20 14:45", "巡查员", "待验收", "是"], problems[1]);
        Assert.Equal(["2", "school-02", string.Empty, "食品安全", "'\t食堂排烟罩油污", "低风险", "人员上报", "2026-11-21 08:00", "巡查员", "已登记", "否"], problems[2]);
        Assert.Equal(3, problems.Count);

        var measures = await CsvAsync(tables[1]);
        Assert.Equal(["序号", "学校", "隐患描述", "整改措施", "整改资金(元)", "整改时限", "状态", "验收结果", "验收日期"], measures[0]);
        Assert.Equal(["1", "school-01", "'" + Nasty, "'-更换灭火器", "1200.50", "2026-11-25", "待验收", "未通过", "2026-11-27"], measures[1]);
        Assert.Equal(["2", "school-02", "'\t食堂排烟罩油污", string.Empty, string.Empty, string.Empty, "已登记", string.Empty, string.Empty], measures[2]);

        var people = await CsvAsync(tables[2]);
        Assert.Equal(["序号", "学校", "隐患描述", "责任单位", "责任人", "整改时限", "复查人", "状态", "是否逾期"], people[0]);
        Assert.Equal(["1", "school-01", "'" + Nasty, "总务处", "'@王主任", "2026-11-25", "张校长", "待验收", "是"], people[1]);
    }

    [Fact]
    public async Task Csv_bytes_start_with_the_bom_and_quote_only_what_needs_quoting()
    {
        using var stream = new MemoryStream();
        await CsvExport.WriteAsync(new ListTable("t", ["a", "b", "c"], [[1, "x,y", "plain"], [2, "say \"hi\"", "line1\r\nline2"]]), stream, CancellationToken.None);
        var bytes = stream.ToArray();

        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Equal("a,b,c\r\n1,\"x,y\",plain\r\n2,\"say \"\"hi\"\"\",\"line1\r\nline2\"\r\n", Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.True(stream.CanWrite, "the caller's stream is left open");
    }

    private static List<IDictionary<string, object?>> Rows(Stream stream, string sheet)
    {
        stream.Position = 0;
        return [.. MiniExcel.Query(stream, useHeaderRow: true, sheetName: sheet).Cast<IDictionary<string, object?>>()];
    }

    private static async Task<List<string[]>> CsvAsync(ListTable table)
    {
        using var stream = new MemoryStream();
        await CsvExport.WriteAsync(table, stream, CancellationToken.None);
        var bytes = stream.ToArray();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        using var reader = new TextFieldParser(new MemoryStream(bytes), Encoding.UTF8, detectEncoding: true)
        {
            TextFieldType = FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
            TrimWhiteSpace = false,
        };
        reader.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!reader.EndOfData)
        {
            rows.Add(reader.ReadFields()!);
        }

        return rows;
    }
}
