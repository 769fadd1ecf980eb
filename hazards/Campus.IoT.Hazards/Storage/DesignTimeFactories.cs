using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Campus.IoT.Hazards.Storage;

/// <summary>For <c>dotnet ef migrations add X --context SqliteHazardDbContext --output-dir Storage/Migrations/Sqlite</c>.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHazardDbContext>
{
    public SqliteHazardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteHazardDbContext>().UseSqlite("Data Source=design-time-hazards.db").Options);
}

/// <summary>For <c>dotnet ef migrations add X --context PostgresHazardDbContext --output-dir Storage/Migrations/Postgres</c> (no server needed).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHazardDbContext>
{
    public PostgresHazardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresHazardDbContext>().UseNpgsql("Host=localhost;Database=campus_hazards_design").Options);
}
