namespace Campus.IoT.Alerting;
public sealed record InputMark(string Site, string Gateway, long Seq, DateTimeOffset At);
internal static class TempMergeExtensions
{
    public static void Save(this SqliteAlarmStore store, IReadOnlyList<AlarmTransition> transitions, IReadOnlyList<InputMark>? inputs) => store.Save(transitions);
    public static IReadOnlyList<InputMark> RecentInputs(this SqliteAlarmStore store, string site, DateTimeOffset since) => [];
}
