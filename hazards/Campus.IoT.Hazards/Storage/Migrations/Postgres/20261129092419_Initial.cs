using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Campus.IoT.Hazards.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "hazard_alarm_raises",
                columns: table => new
                {
                    AlarmId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Site = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Device = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Rule = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RaisedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hazard_alarm_raises", x => x.AlarmId);
                });

            migrationBuilder.CreateTable(
                name: "hazards",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Site = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Location = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Device = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: true),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Source = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Risk = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FoundAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FoundBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Measures = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Funds = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: true),
                    ResponsibleUnit = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ResponsiblePerson = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Deadline = table.Column<DateOnly>(type: "date", nullable: true),
                    Reinspector = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    VerificationPassed = table.Column<bool>(type: "boolean", nullable: true),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VerificationNote = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hazards", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "hazard_alarms",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    HazardId = table.Column<long>(type: "bigint", nullable: false),
                    AlarmId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Rule = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Device = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: true),
                    Severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RaisedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Active = table.Column<bool>(type: "boolean", nullable: false),
                    LinkedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hazard_alarms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_hazard_alarms_hazards_HazardId",
                        column: x => x.HazardId,
                        principalTable: "hazards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "hazard_attachments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    HazardId = table.Column<long>(type: "bigint", nullable: false),
                    FileName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UploadedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hazard_attachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_hazard_attachments_hazards_HazardId",
                        column: x => x.HazardId,
                        principalTable: "hazards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "hazard_audit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    HazardId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Changes = table.Column<string>(type: "text", nullable: true),
                    Note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hazard_audit", x => x.Id);
                    table.ForeignKey(
                        name: "FK_hazard_audit_hazards_HazardId",
                        column: x => x.HazardId,
                        principalTable: "hazards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_hazard_alarm_raises_Site_Device_RaisedAt",
                table: "hazard_alarm_raises",
                columns: new[] { "Site", "Device", "RaisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_hazard_alarms_AlarmId",
                table: "hazard_alarms",
                column: "AlarmId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hazard_alarms_HazardId",
                table: "hazard_alarms",
                column: "HazardId");

            migrationBuilder.CreateIndex(
                name: "IX_hazard_attachments_HazardId_Sha256",
                table: "hazard_attachments",
                columns: new[] { "HazardId", "Sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hazard_audit_HazardId_At",
                table: "hazard_audit",
                columns: new[] { "HazardId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_hazards_Deadline",
                table: "hazards",
                column: "Deadline");

            migrationBuilder.CreateIndex(
                name: "IX_hazards_FoundAt",
                table: "hazards",
                column: "FoundAt");

            migrationBuilder.CreateIndex(
                name: "IX_hazards_Site_Device",
                table: "hazards",
                columns: new[] { "Site", "Device" });

            migrationBuilder.CreateIndex(
                name: "IX_hazards_Site_Status",
                table: "hazards",
                columns: new[] { "Site", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "hazard_alarm_raises");

            migrationBuilder.DropTable(
                name: "hazard_alarms");

            migrationBuilder.DropTable(
                name: "hazard_attachments");

            migrationBuilder.DropTable(
                name: "hazard_audit");

            migrationBuilder.DropTable(
                name: "hazards");
        }
    }
}
