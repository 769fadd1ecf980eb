namespace Campus.IoT.Hazards;

/// <summary>
/// Wire spellings (API, storage, exports) and zh-CN labels of the hazard enumerations. Stored columns hold the wire names,
/// so the numbering of the enums never reaches a database.
/// </summary>
public static class HazardNames
{
    public static string ToWire(this HazardCategory category) => category switch
    {
        HazardCategory.Fire => "fire",
        HazardCategory.FoodSafety => "food_safety",
        HazardCategory.LabChemicals => "lab_chemicals",
        HazardCategory.Traffic => "traffic",
        HazardCategory.Buildings => "buildings",
        HazardCategory.Facilities => "facilities",
        HazardCategory.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    public static string ToWire(this HazardSource source) => source switch
    {
        HazardSource.Alarm => "alarm",
        HazardSource.Inspection => "inspection",
        HazardSource.Report => "report",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    public static string ToWire(this RiskLevel risk) => risk switch
    {
        RiskLevel.Major => "major",
        RiskLevel.Significant => "significant",
        RiskLevel.General => "general",
        RiskLevel.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(risk), risk, null),
    };

    public static string ToWire(this HazardStatus status) => status switch
    {
        HazardStatus.Registered => "registered",
        HazardStatus.Rectifying => "rectifying",
        HazardStatus.AwaitingVerification => "awaiting_verification",
        HazardStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this HazardAction action) => action switch
    {
        HazardAction.Start => "start",
        HazardAction.Submit => "submit",
        HazardAction.Verify => "verify",
        HazardAction.Reject => "reject",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>消防安全, 食品安全, 实验室及危险化学品, 校车及交通安全, 校舍建筑, 设施设备, 其他.</summary>
    public static string Label(this HazardCategory category) => category switch
    {
        HazardCategory.Fire => "消防安全",
        HazardCategory.FoodSafety => "食品安全",
        HazardCategory.LabChemicals => "实验室及危险化学品",
        HazardCategory.Traffic => "校车及交通安全",
        HazardCategory.Buildings => "校舍建筑",
        HazardCategory.Facilities => "设施设备",
        HazardCategory.Other => "其他",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    /// <summary>设备报警, 隐患排查, 人员上报.</summary>
    public static string Label(this HazardSource source) => source switch
    {
        HazardSource.Alarm => "设备报警",
        HazardSource.Inspection => "隐患排查",
        HazardSource.Report => "人员上报",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>重大, 较大, 一般, 低.</summary>
    public static string Label(this RiskLevel risk) => risk switch
    {
        RiskLevel.Major => "重大",
        RiskLevel.Significant => "较大",
        RiskLevel.General => "一般",
        RiskLevel.Low => "低",
        _ => throw new ArgumentOutOfRangeException(nameof(risk), risk, null),
    };

    /// <summary>已登记, 整改中, 待验收, 已销号.</summary>
    public static string Label(this HazardStatus status) => status switch
    {
        HazardStatus.Registered => "已登记",
        HazardStatus.Rectifying => "整改中",
        HazardStatus.AwaitingVerification => "待验收",
        HazardStatus.Closed => "已销号",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>开始整改, 提交验收, 验收通过, 验收不通过.</summary>
    public static string Label(this HazardAction action) => action switch
    {
        HazardAction.Start => "开始整改",
        HazardAction.Submit => "提交验收",
        HazardAction.Verify => "验收通过",
        HazardAction.Reject => "验收不通过",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string? text, out HazardCategory value) => TryParseWire(text, ToWire, out value);

    public static bool TryParse(string? text, out HazardSource value) => TryParseWire(text, ToWire, out value);

    public static bool TryParse(string? text, out RiskLevel value) => TryParseWire(text, ToWire, out value);

    public static bool TryParse(string? text, out HazardStatus value) => TryParseWire(text, ToWire, out value);

    public static bool TryParse(string? text, out HazardAction value) => TryParseWire(text, ToWire, out value);

    /// <summary>The enum value whose wire name is <paramref name="text"/> (storage: a value no version wrote is an error).</summary>
    public static T Parse<T>(string text, Func<T, string> toWire)
        where T : struct, Enum =>
        TryParseWire(text, toWire, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name} wire name");

    private static bool TryParseWire<T>(string? text, Func<T, string> toWire, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(toWire(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
