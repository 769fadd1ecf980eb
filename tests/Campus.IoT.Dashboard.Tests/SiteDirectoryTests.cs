using Campus.IoT.Dashboard.Devices;

namespace Campus.IoT.Dashboard.Tests;

public sealed class SiteDirectoryTests
{
    [Fact]
    public void A_device_is_placed_by_its_exact_id_first_then_by_the_longest_matching_glob()
    {
        var sites = new SiteDirectory(new Dictionary<string, SiteOptions>
        {
            ["school-01"] = new()
            {
                Name = "第一中学",
                Locations = new(StringComparer.Ordinal)
                {
                    ["canteen-*"] = "食堂 / 1F",
                    ["canteen-fridge-*"] = "食堂 / 1F / 冷库",
                    ["canteen-fridge-9"] = "食堂 / B1 / 备用冷库",
                },
            },
        });

        Assert.Equal("第一中学", sites.NameOf("school-01"));
        Assert.Null(sites.NameOf("school-02"));
        Assert.Equal("食堂 / B1 / 备用冷库", sites.LocationOf("school-01", "canteen-fridge-9"));
        Assert.Equal("食堂 / 1F / 冷库", sites.LocationOf("school-01", "canteen-fridge-1"));
        Assert.Equal("食堂 / 1F", sites.LocationOf("school-01", "canteen-heat-1"));
        Assert.Null(sites.LocationOf("school-01", "lab-1"));
        Assert.Null(sites.LocationOf("school-01", null));
    }
}
