using System.Globalization;
using System.Text;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>The words of a notification, Chinese first and English second (the people reading them are at a Chinese school).</summary>
public static class NotificationText
{
    private static readonly Dictionary<string, (string Zh, string En)> Rules = new(StringComparer.Ordinal)
    {
        [AlarmEngine.FireRule] = ("火警", "Fire alarm"),
        ["rate-of-rise"] = ("温度急升", "Rate-of-rise heat"),
        [AlarmEngine.FixedHeatRule] = ("高温", "Fixed heat"),
        ["cold-storage"] = ("冷藏温度异常", "Cold storage out of range"),
        ["freezer"] = ("冷冻温度异常", "Freezer out of range"),
        ["lab-fridge"] = ("实验室冰箱温度异常", "Lab fridge out of range"),
        ["chem-store"] = ("危化品库温度过高", "Chemical store too warm"),
        ["sensor-offline"] = ("传感器离线", "Sensor offline"),
        ["sensor-stuck"] = ("传感器读数不变", "Sensor stuck"),
        [AlarmEngine.GatewayOfflineRule] = ("网关离线", "Gateway offline"),
        [AlarmEngine.ConsoleRule] = ("值班室无人值守（报警看板未打开）", "Guard room unattended (no alarm board open)"),
        ["panel-supervisory"] = ("消防主机监管报警", "Panel supervisory"),
        ["panel-trouble"] = ("消防主机故障", "Panel trouble"),
        ["panel-power-fault"] = ("消防主机电源故障", "Panel power fault"),
    };

    public static string Severity(AlarmSeverity severity) => severity switch
    {
        AlarmSeverity.Critical => "紧急",
        AlarmSeverity.Major => "重要",
        AlarmSeverity.Minor => "次要",
        _ => "提示",
    };

    public static (string Zh, string En) Rule(string rule) => Rules.TryGetValue(rule, out var names) ? names : (rule, rule);

    /// <summary>Where: site / gateway / device / point / zone, as far as known.</summary>
    public static string Place(Alarm alarm)
    {
        var parts = new List<string> { alarm.Site, alarm.Gateway };
        parts.AddRange(new[] { alarm.Device, alarm.Point is { } p ? $"point {p}" : null, alarm.Zone, alarm.Label }.OfType<string>());
        return string.Join(" / ", parts);
    }

    public static string Subject(Notification n)
    {
        var (zh, en) = Rule(n.Alarm.Rule);
        var step = n.Transition.Kind switch
        {
            AlarmTransitionKind.Escalated => $"已升级第{n.Level}级 / escalated to level {n.Level}",
            AlarmTransitionKind.Resumed => "维护结束仍在报警 / still active after maintenance",
            AlarmTransitionKind.Updated => "再次报警 / active again",
            _ => "新报警 / raised",
        };
        return $"【{Severity(n.Alarm.Severity)}】{zh} {Place(n.Alarm)} — {step} ({en})";
    }

    public static string Body(Notification n)
    {
        var a = n.Alarm;
        var (zh, en) = Rule(a.Rule);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{zh}（{Severity(a.Severity)}） / {en} ({a.Severity.ToWire()})");
        text.AppendLine(CultureInfo.InvariantCulture, $"位置 / Place: {Place(a)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"报警时间 / Raised: {Timestamps.Format(a.RaisedAt)} (UTC)");
        if (a.Metric is { } metric && a.Value is { } value)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"读数 / Reading: {metric} = {value.ToString(CultureInfo.InvariantCulture)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"状态 / State: {a.State.ToWire()}, 升级级别 / escalation level {a.EscalationLevel}");
        text.AppendLine(CultureInfo.InvariantCulture, $"通知对象 / To: {n.Recipient}");
        if (n.Transition.Note is { } note)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"说明 / Note: {note}");
        }

        text.AppendLine();
        text.AppendLine("请立即到值班室看板确认处置。/ Acknowledge on the guard-room board.");
        text.AppendLine(CultureInfo.InvariantCulture, $"报警编号 / Alarm id: {a.Id}");
        return text.ToString();
    }
}
