using System.Diagnostics.Metrics;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// Meters for a component under test without a host. Each meter's scope is this factory, so a <c>MeterListener</c> can
/// tell the component's instruments from those of tests running in parallel.
/// </summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
