namespace Campus.IoT.Alerting;

/// <summary>
/// One input message whose transitions are stored: a gateway's message <paramref name="Seq"/>, received at
/// <paramref name="At"/>. Written in the same transaction as those transitions, so a node that takes over a school after
/// another node died can skip the messages already handled (<see cref="IAlarmStore.RecentInputs"/>).
/// </summary>
public sealed record InputMark(string Site, string Gateway, long Seq, DateTimeOffset Sent, DateTimeOffset At);
