namespace Campus.IoT.Hazards.Reports;

/// <summary>The alarms of one rule (报警类型) in a school's year.</summary>
internal sealed record AlarmTypeYear(string Rule, int Count, int Acked, double? MeanSecondsToAck);
