using Microsoft.EntityFrameworkCore;

namespace Campus.IoT.Hazards.Storage;

/// <summary>Makes contexts of the configured provider (each its own migration set); one per process, thread-safe.</summary>
public sealed class HazardDatabase
{
    private readonly DbContextOptions<SqliteHazardDbContext>? _sqlite;
    private readonly DbContextOptions<PostgresHazardDbContext>? _postgres;

    private HazardDatabase(HazardProvider provider, DbContextOptions<SqliteHazardDbContext>? sqlite, DbContextOptions<PostgresHazardDbContext>? postgres)
    {
        Provider = provider;
        _sqlite = sqlite;
        _postgres = postgres;
    }

    public HazardProvider Provider { get; }

    /// <summary>A SQLite file (made with its directory when missing).</summary>
    public static HazardDatabase Sqlite(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new(HazardProvider.Sqlite, new DbContextOptionsBuilder<SqliteHazardDbContext>().UseSqlite($"Data Source={path};Pooling=True").Options, null);
    }

    public static HazardDatabase Postgres(string connectionString) =>
        new(HazardProvider.Postgres, null, new DbContextOptionsBuilder<PostgresHazardDbContext>().UseNpgsql(connectionString).Options);

    public HazardDbContext CreateContext() => Provider == HazardProvider.Sqlite
        ? new SqliteHazardDbContext(_sqlite!)
        : new PostgresHazardDbContext(_postgres!);
}
