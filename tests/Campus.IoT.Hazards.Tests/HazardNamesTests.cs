namespace Campus.IoT.Hazards.Tests;

public sealed class HazardNamesTests
{
    [Fact]
    public void Every_value_round_trips_through_its_wire_name_and_has_a_label()
    {
        foreach (var v in Enum.GetValues<HazardCategory>())
        {
            Assert.True(HazardNames.TryParse(v.ToWire(), out HazardCategory back));
            Assert.Equal(v, back);
            Assert.NotEmpty(v.Label());
        }

        foreach (var v in Enum.GetValues<HazardStatus>())
        {
            Assert.True(HazardNames.TryParse(v.ToWire(), out HazardStatus back));
            Assert.Equal(v, back);
        }

        Assert.Equal(["fire", "food_safety", "lab_chemicals", "traffic", "buildings", "facilities", "other"], Enum.GetValues<HazardCategory>().Select(c => c.ToWire()));
        Assert.Equal(["alarm", "inspection", "report"], Enum.GetValues<HazardSource>().Select(c => c.ToWire()));
        Assert.Equal(["major", "significant", "general", "low"], Enum.GetValues<RiskLevel>().Select(c => c.ToWire()));
        Assert.Equal(["registered", "rectifying", "awaiting_verification", "closed"], Enum.GetValues<HazardStatus>().Select(c => c.ToWire()));
        Assert.Equal(["start", "submit", "verify", "reject"], Enum.GetValues<HazardAction>().Select(c => c.ToWire()));
        Assert.Equal(["消防安全", "食品安全", "实验室及危险化学品", "校车及交通安全", "校舍建筑", "设施设备", "其他"], Enum.GetValues<HazardCategory>().Select(c => c.Label()));
        Assert.Equal(["重大", "较大", "一般", "低"], Enum.GetValues<RiskLevel>().Select(c => c.Label()));
        Assert.Equal(["已登记", "整改中", "待验收", "已销号"], Enum.GetValues<HazardStatus>().Select(c => c.Label()));
        Assert.False(HazardNames.TryParse("Closed", out HazardStatus _));
        Assert.False(HazardNames.TryParse(null, out HazardAction _));
    }
}
