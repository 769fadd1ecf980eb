using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Campus.IoT.Hazards.Storage;

/// <summary>
/// The hazard registry's tables, shared by both providers. Each provider has its own derived context
/// (<see cref="SqliteHazardDbContext"/>, <see cref="PostgresHazardDbContext"/>) so each has its own migration set; enums are
/// stored as their wire names, and <see cref="Hazard.Version"/> is the optimistic-concurrency token.
/// </summary>
public abstract class HazardDbContext : DbContext
{
    protected HazardDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Hazard> Hazards => Set<Hazard>();

    public DbSet<HazardAlarmLink> AlarmLinks => Set<HazardAlarmLink>();

    public DbSet<HazardAttachment> Attachments => Set<HazardAttachment>();

    public DbSet<HazardAuditEntry> Audit => Set<HazardAuditEntry>();

    public DbSet<HazardAlarmRaise> AlarmRaises => Set<HazardAlarmRaise>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<Hazard>(h =>
        {
            h.ToTable("hazards");
            h.HasKey(x => x.Id);
            h.Property(x => x.Site).HasMaxLength(63);
            h.Property(x => x.Location).HasMaxLength(200);
            h.Property(x => x.Device).HasMaxLength(63);
            h.Property(x => x.Title).HasMaxLength(200);
            h.Property(x => x.Description).HasMaxLength(4000);
            h.Property(x => x.FoundBy).HasMaxLength(100);
            h.Property(x => x.Measures).HasMaxLength(4000);
            h.Property(x => x.ResponsibleUnit).HasMaxLength(200);
            h.Property(x => x.ResponsiblePerson).HasMaxLength(100);
            h.Property(x => x.Reinspector).HasMaxLength(100);
            h.Property(x => x.VerificationNote).HasMaxLength(2000);
            h.Property(x => x.Funds).HasPrecision(14, 2);
            h.Property(x => x.Category).HasMaxLength(32).HasConversion(Wire<HazardCategory>(HazardNames.ToWire));
            h.Property(x => x.Source).HasMaxLength(32).HasConversion(Wire<HazardSource>(HazardNames.ToWire));
            h.Property(x => x.Risk).HasMaxLength(32).HasConversion(Wire<RiskLevel>(HazardNames.ToWire));
            h.Property(x => x.Status).HasMaxLength(32).HasConversion(Wire<HazardStatus>(HazardNames.ToWire));
            h.Property(x => x.Version).IsConcurrencyToken();
            h.HasIndex(x => new { x.Site, x.Status });
            h.HasIndex(x => x.Deadline);
            h.HasIndex(x => x.FoundAt);
            h.HasIndex(x => new { x.Site, x.Device });
            h.HasMany(x => x.Alarms).WithOne().HasForeignKey(x => x.HazardId).OnDelete(DeleteBehavior.Cascade);
            h.HasMany(x => x.Attachments).WithOne().HasForeignKey(x => x.HazardId).OnDelete(DeleteBehavior.Cascade);
            h.HasMany(x => x.Audit).WithOne().HasForeignKey(x => x.HazardId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<HazardAlarmLink>(a =>
        {
            a.ToTable("hazard_alarms");
            a.HasKey(x => x.Id);
            a.Property(x => x.AlarmId).HasMaxLength(64);
            a.Property(x => x.Rule).HasMaxLength(63);
            a.Property(x => x.Device).HasMaxLength(63);
            a.Property(x => x.Severity).HasMaxLength(16);
            // An alarm belongs to at most one hazard, once.
            a.HasIndex(x => x.AlarmId).IsUnique();
        });
        modelBuilder.Entity<HazardAttachment>(a =>
        {
            a.ToTable("hazard_attachments");
            a.HasKey(x => x.Id);
            a.Property(x => x.FileName).HasMaxLength(255);
            a.Property(x => x.ContentType).HasMaxLength(100);
            a.Property(x => x.Sha256).HasMaxLength(64).IsFixedLength();
            a.Property(x => x.UploadedBy).HasMaxLength(100);
            a.HasIndex(x => new { x.HazardId, x.Sha256 }).IsUnique();
        });
        modelBuilder.Entity<HazardAuditEntry>(a =>
        {
            a.ToTable("hazard_audit");
            a.HasKey(x => x.Id);
            a.Property(x => x.By).HasMaxLength(100);
            a.Property(x => x.Action).HasMaxLength(32);
            a.Property(x => x.Note).HasMaxLength(2000);
            a.HasIndex(x => new { x.HazardId, x.At });
        });
        modelBuilder.Entity<HazardAlarmRaise>(r =>
        {
            r.ToTable("hazard_alarm_raises");
            r.HasKey(x => x.AlarmId);
            r.Property(x => x.AlarmId).HasMaxLength(64);
            r.Property(x => x.Site).HasMaxLength(63);
            r.Property(x => x.Device).HasMaxLength(63);
            r.Property(x => x.Rule).HasMaxLength(63);
            r.Property(x => x.Severity).HasMaxLength(16);
            r.HasIndex(x => new { x.Site, x.Device, x.RaisedAt });
        });
    }

    private static ValueConverter<T, string> Wire<T>(Func<T, string> toWire)
        where T : struct, Enum =>
        new(v => toWire(v), s => HazardNames.Parse(s, toWire));
}
