using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Campus.IoT.Hazards.Storage;

/// <summary>
/// The registry on PostgreSQL (district scale). Instants are <c>timestamp with time zone</c>, which Npgsql writes only with
/// offset zero: every <see cref="DateTimeOffset"/> is normalised to UTC on the way in.
/// </summary>
public sealed class PostgresHazardDbContext(DbContextOptions<PostgresHazardDbContext> options) : HazardDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
    }

    /// <summary>Any offset in, UTC out.</summary>
    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(),
        v => v.ToUniversalTime());
}
