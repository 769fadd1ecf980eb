namespace Campus.IoT.Alerting;

/// <summary>
/// Where alarms meet the hazard registry (排查 → 登记 → 整改 → 验收 → 销号): every stored alarm transition is handed to each
/// registered feed, after the guard room has it. The hazard-registry issue implements it (a critical alarm, or the same
/// device raising N alarms in M days, opens or extends a hazard). A failing feed is logged and never holds up alarms.
/// </summary>
public interface IHazardFeed
{
    Task AlarmTransitionAsync(AlarmTransition transition, CancellationToken cancellationToken);
}
