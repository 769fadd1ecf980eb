using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Campus.IoT.Benchmarks;

/// <summary>
/// How many items (readings, rows, queries) one benchmark operation handles: either a fixed <see cref="Count"/> or the value of
/// the parameter named <see cref="Parameter"/>. Put on the method or on the class.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ThroughputAttribute(string unit) : Attribute
{
    public string Unit { get; } = unit;

    public long Count { get; init; } = 1;

    public string? Parameter { get; init; }
}

/// <summary>Adds a "Throughput" column: items per second computed from the mean time per operation.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(new ThroughputColumn());
}

internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "Throughput";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Items handled per second, from the mean time per operation (readings decoded, rows written, readings evaluated, queries)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var attribute = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<ThroughputAttribute>()
            ?? benchmarkCase.Descriptor.Type.GetCustomAttribute<ThroughputAttribute>();
        if (mean is not > 0 || attribute is null)
        {
            return "-";
        }

        var items = attribute.Parameter is { } name
            ? Convert.ToInt64(benchmarkCase.Parameters[name], CultureInfo.InvariantCulture)
            : attribute.Count;
        var perSecond = items / (mean.Value / 1e9);
        return perSecond switch
        {
            >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:0.00} M {attribute.Unit}/s"),
            >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:0.0} k {attribute.Unit}/s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0.0} {attribute.Unit}/s"),
        };
    }
}
