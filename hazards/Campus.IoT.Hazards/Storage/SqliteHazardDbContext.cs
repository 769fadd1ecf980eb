using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Campus.IoT.Hazards.Storage;

/// <summary>
/// The registry on SQLite (the school server's default). SQLite has no time type EF can order or compare, so every
/// <see cref="DateTimeOffset"/> is stored as its UTC ticks (an INTEGER: ordering and range filters work in SQL).
/// </summary>
public sealed class SqliteHazardDbContext(DbContextOptions<SqliteHazardDbContext> options) : HazardDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    /// <summary>An instant as UTC ticks; read back with offset zero.</summary>
    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
