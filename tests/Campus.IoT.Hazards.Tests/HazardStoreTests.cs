using System.Security.Cryptography;
using System.Text.Json;

namespace Campus.IoT.Hazards.Tests;

/// <summary>The registry's lifecycle, edits, audit, overdue, lists and attachments; run once per provider.</summary>
public abstract class HazardStoreTests : StoreFixture
{
    public static TheoryData<HazardStatus, HazardAction> IllegalTransitions()
    {
        var data = new TheoryData<HazardStatus, HazardAction>();
        (HazardStatus, HazardAction)[] legal =
            [(HazardStatus.Registered, HazardAction.Start), (HazardStatus.Rectifying, HazardAction.Submit), (HazardStatus.AwaitingVerification, HazardAction.Verify), (HazardStatus.AwaitingVerification, HazardAction.Reject)];
        foreach (var status in Enum.GetValues<HazardStatus>())
        {
            foreach (var action in Enum.GetValues<HazardAction>())
            {
                if (!legal.Contains((status, action)))
                {
                    data.Add(status, action);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public async Task An_illegal_transition_is_refused_and_changes_neither_the_row_nor_the_audit(HazardStatus status, HazardAction action)
    {
        var before = await InStatusAsync(status);
        var auditBefore = await AuditAsync(before.Id);
        Time.Advance(TimeSpan.FromMinutes(5));

        var outcome = await Store.TransitionAsync(before.Id, new HazardTransitionRequest(action, "note", "王五"), "tester", CancellationToken.None);

        Assert.Equal(HazardOutcomeKind.Illegal, outcome.Kind);
        Assert.Contains(status.ToWire(), outcome.Reason, StringComparison.Ordinal);
        var after = await Store.FindAsync(before.Id, CancellationToken.None);
        Assert.Equal(before.Status, after!.Status);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.Equal(before.VerificationPassed, after.VerificationPassed);
        Assert.Equal(auditBefore.Select(a => a.Id), (await AuditAsync(before.Id)).Select(a => a.Id));
    }

    [Fact]
    public async Task The_closed_loop_goes_start_submit_reject_back_to_rectifying_submit_verify_with_an_audit_row_each()
    {
        var hazard = await CreateAsync();
        Assert.Equal(HazardStatus.Registered, hazard.Status);
        Assert.Equal(1, hazard.Version);

        async Task<Hazard> Do(HazardAction action, string? note = null, string? reinspector = null)
        {
            Time.Advance(TimeSpan.FromHours(1));
            var outcome = await Store.TransitionAsync(hazard.Id, new HazardTransitionRequest(action, note, reinspector), "王安全", CancellationToken.None);
            Assert.Equal(HazardOutcomeKind.Ok, outcome.Kind);
            return outcome.Hazard!;
        }

        Assert.Equal(HazardStatus.Rectifying, (await Do(HazardAction.Start)).Status);
        Assert.Equal(HazardStatus.AwaitingVerification, (await Do(HazardAction.Submit, "已加装第二把锁")).Status);
        var rejected = await Do(HazardAction.Reject, "钥匙仍由一人保管", "王五");
        Assert.Equal(HazardStatus.Rectifying, rejected.Status);
        Assert.False(rejected.VerificationPassed);
        Assert.Equal("钥匙仍由一人保管", rejected.VerificationNote);
        Assert.Null(rejected.ClosedAt);
        Assert.Equal(HazardStatus.AwaitingVerification, (await Do(HazardAction.Submit, "钥匙分两人保管")).Status);
        var verified = await Do(HazardAction.Verify, "复查合格");
        Assert.Equal(HazardStatus.Closed, verified.Status);
        Assert.True(verified.VerificationPassed);
        Assert.Equal(Time.GetUtcNow(), verified.VerifiedAt);
        Assert.Equal(Time.GetUtcNow(), verified.ClosedAt);
        Assert.Equal("王五", verified.Reinspector);
        Assert.Equal(6, verified.Version);

        var stored = await Store.FindAsync(hazard.Id, CancellationToken.None);
        Assert.Equal(verified.ClosedAt, stored!.ClosedAt);
        Assert.Equal(["create", "start", "submit", "reject", "submit", "verify"], stored.Audit.Select(a => a.Action));
        Assert.All(stored.Audit.Skip(1), a => Assert.Equal("王安全", a.By));
        var verify = JsonSerializer.Deserialize<Dictionary<string, string?[]>>(stored.Audit[^1].Changes!)!;
        Assert.Equal(string.Join("|", (string?[])["awaiting_verification", "closed"]), string.Join("|", verify["status"]));
        Assert.Equal(string.Join("|", (string?[])["false", "true"]), string.Join("|", verify["verificationPassed"]));
        Assert.Equal("复查合格", stored.Audit[^1].Note);
    }

    [Fact]
    public async Task Start_needs_measures_a_responsible_person_and_a_deadline_and_reject_needs_a_note_and_verify_a_reinspector()
    {
        var bare = await CreateAsync(Draft(ready: false));
        var refused = await Store.TransitionAsync(bare.Id, new HazardTransitionRequest(HazardAction.Start), "tester", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Illegal, refused.Kind);
        Assert.Contains("measures", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("responsiblePerson", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("deadline", refused.Reason, StringComparison.Ordinal);
        Assert.Single(await AuditAsync(bare.Id));

        var waiting = await CreateAsync();
        await Store.TransitionAsync(waiting.Id, new HazardTransitionRequest(HazardAction.Start), "tester", CancellationToken.None);
        await Store.TransitionAsync(waiting.Id, new HazardTransitionRequest(HazardAction.Submit), "tester", CancellationToken.None);
        var before = await AuditAsync(waiting.Id);
        Assert.Equal(HazardOutcomeKind.Invalid, (await Store.TransitionAsync(waiting.Id, new HazardTransitionRequest(HazardAction.Reject, " "), "tester", CancellationToken.None)).Kind);
        Assert.Equal(HazardOutcomeKind.Illegal, (await Store.TransitionAsync(waiting.Id, new HazardTransitionRequest(HazardAction.Verify), "tester", CancellationToken.None)).Kind);
        Assert.Equal(before.Count, (await AuditAsync(waiting.Id)).Count);
        Assert.Equal(HazardStatus.AwaitingVerification, (await Store.FindAsync(waiting.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task An_update_at_a_stale_version_is_a_conflict_and_an_update_audits_old_and_new_values()
    {
        var hazard = await CreateAsync();
        var ok = await Store.UpdateAsync(hazard.Id, 1, new HazardPatch { Deadline = new DateOnly(2026, 12, 5), ResponsiblePerson = "赵六", Funds = 1200.50m }, "王安全", "延期", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Ok, ok.Kind);
        Assert.Equal(2, ok.Hazard!.Version);

        var stale = await Store.UpdateAsync(hazard.Id, 1, new HazardPatch { Title = "覆盖" }, "someone", null, CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Conflict, stale.Kind);

        var stored = await Store.FindAsync(hazard.Id, CancellationToken.None);
        Assert.Equal("危化品柜未双人双锁", stored!.Title);
        Assert.Equal(new DateOnly(2026, 12, 5), stored.Deadline);
        Assert.Equal(1200.50m, stored.Funds);
        var update = stored.Audit.Single(a => a.Action == "update");
        var changes = JsonSerializer.Deserialize<Dictionary<string, string?[]>>(update.Changes!)!;
        Assert.Equal(string.Join("|", (string?[])["2026-12-01", "2026-12-05"]), string.Join("|", changes["deadline"]));
        Assert.Equal(string.Join("|", (string?[])["李四", "赵六"]), string.Join("|", changes["responsiblePerson"]));
        Assert.Equal(string.Join("|", (string?[])[null, "1200.50"]), string.Join("|", changes["funds"]));
        Assert.Equal("延期", update.Note);
        Assert.Equal("王安全", update.By);
        Assert.Equal(2, stored.Audit.Count);
    }

    [Fact]
    public async Task Overdue_turns_at_midnight_in_Shanghai_after_the_deadline_day()
    {
        var hazard = await CreateAsync();   // deadline 2026-12-01
        Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 15, 59, 59, TimeSpan.Zero));   // 23:59:59 local on the deadline day
        Assert.False(Store.IsOverdue(hazard));
        Assert.Empty(await Store.ListAsync(new HazardFilter { Overdue = true }, CancellationToken.None));
        Assert.Single(await Store.ListAsync(new HazardFilter { Overdue = false }, CancellationToken.None));

        Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 16, 0, 0, TimeSpan.Zero));      // 00:00 local the day after
        Assert.True(Store.IsOverdue(hazard));
        Assert.Single(await Store.ListAsync(new HazardFilter { Overdue = true }, CancellationToken.None));
        Assert.Empty(await Store.ListAsync(new HazardFilter { Overdue = false }, CancellationToken.None));
    }

    [Fact]
    public async Task A_closed_hazard_is_never_overdue()
    {
        var closed = await InStatusAsync(HazardStatus.Closed);
        Time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.False(Store.IsOverdue(closed));
        Assert.Empty(await Store.ListAsync(new HazardFilter { Overdue = true }, CancellationToken.None));
    }

    [Fact]
    public async Task The_list_filters_by_site_status_category_risk_period_text_and_allowed_sites_newest_first()
    {
        var a = await CreateAsync();
        Time.Advance(TimeSpan.FromDays(1));
        var b = await CreateAsync(Draft("school-2") with { Category = HazardCategory.Fire, Risk = RiskLevel.Major, Title = "消防通道堵塞", Description = "一楼东侧" });
        Time.Advance(TimeSpan.FromDays(1));
        var c = await CreateAsync(Draft() with { Title = "食堂燃气报警器失效", Category = HazardCategory.FoodSafety });
        await Store.TransitionAsync(c.Id, new HazardTransitionRequest(HazardAction.Start), "t", CancellationToken.None);

        async Task<long[]> Ids(HazardFilter f) => [.. (await Store.ListAsync(f, CancellationToken.None)).Select(h => h.Id)];
        Assert.Equal([c.Id, b.Id, a.Id], await Ids(new HazardFilter()));
        Assert.Equal([c.Id, a.Id], await Ids(new HazardFilter { Site = "school-1" }));
        Assert.Equal([c.Id], await Ids(new HazardFilter { Status = HazardStatus.Rectifying }));
        Assert.Equal([b.Id], await Ids(new HazardFilter { Category = HazardCategory.Fire }));
        Assert.Equal([b.Id], await Ids(new HazardFilter { Risk = RiskLevel.Major }));
        Assert.Equal([b.Id], await Ids(new HazardFilter { From = Start.AddHours(12), To = Start.AddHours(36) }));
        Assert.Equal([c.Id], await Ids(new HazardFilter { Text = "燃气" }));
        Assert.Equal([b.Id], await Ids(new HazardFilter { Text = "东侧" }));
        Assert.Equal([b.Id], await Ids(new HazardFilter { Sites = ["school-2"] }));
        Assert.Equal([c.Id], await Ids(new HazardFilter { Limit = 1 }));
        Assert.Single(await Store.WithAlarmsAsync(Start.AddHours(12), Start.AddHours(36), null, CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_drafts_and_edits_of_a_closed_hazard_are_refused()
    {
        Assert.Equal(HazardOutcomeKind.Invalid, (await Store.CreateAsync(Draft("School 1"), "t", CancellationToken.None)).Kind);
        Assert.Equal(HazardOutcomeKind.Invalid, (await Store.CreateAsync(Draft() with { Title = " " }, "t", CancellationToken.None)).Kind);
        Assert.Empty(await AllAsync());

        var closed = await InStatusAsync(HazardStatus.Closed);
        var edit = await Store.UpdateAsync(closed.Id, closed.Version, new HazardPatch { Title = "改" }, "t", null, CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Illegal, edit.Kind);
        Assert.Equal(HazardOutcomeKind.NotFound, (await Store.TransitionAsync(999_999, new HazardTransitionRequest(HazardAction.Start), "t", CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task An_attachment_is_stored_once_under_its_sha256_and_audited()
    {
        var hazard = await CreateAsync();
        var other = await CreateAsync();
        var png = Png(1000);
        var (first, attachment) = await Store.AttachAsync(hazard.Id, "现场照片.png", new MemoryStream(png), "王安全", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Ok, first.Kind);
        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        Assert.Equal(sha, attachment!.Sha256);
        Assert.Equal("image/png", attachment.ContentType);
        Assert.Equal(png.Length, attachment.Size);
        Assert.Equal(png, await File.ReadAllBytesAsync(Path.Combine(AttachmentDir, sha)));

        var (_, again) = await Store.AttachAsync(hazard.Id, "again.png", new MemoryStream(png), "王安全", CancellationToken.None);
        Assert.Equal(attachment.Id, again!.Id);
        var (_, elsewhere) = await Store.AttachAsync(other.Id, "same.png", new MemoryStream(png), "王安全", CancellationToken.None);
        Assert.NotEqual(attachment.Id, elsewhere!.Id);
        Assert.Equal([sha], Directory.GetFiles(AttachmentDir).Select(Path.GetFileName));

        var stored = await Store.FindAsync(hazard.Id, CancellationToken.None);
        Assert.Single(stored!.Attachments);
        Assert.Equal(["create", "attach"], stored.Audit.Select(a => a.Action));
        await using var content = Store.Files.Open(sha);
        Assert.NotNull(content);
    }

    [Fact]
    public async Task An_oversize_or_mistyped_attachment_is_refused_with_a_reason_and_nothing_is_written()
    {
        var hazard = await CreateAsync();
        var (big, _) = await Store.AttachAsync(hazard.Id, "big.png", new MemoryStream(Png((int)MaxAttachmentBytes + 1)), "t", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Invalid, big.Kind);
        Assert.Contains("limit", big.Reason, StringComparison.Ordinal);

        // A text file sent as image/jpeg is not a JPEG: the content decides.
        var (text, _) = await Store.AttachAsync(hazard.Id, "photo.jpg", new MemoryStream("<html>not a photo</html>"u8.ToArray()), "t", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Invalid, text.Kind);
        var (zip, _) = await Store.AttachAsync(hazard.Id, "archive.zip", new MemoryStream([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]), "t", CancellationToken.None);
        Assert.Equal(HazardOutcomeKind.Invalid, zip.Kind);

        Assert.Empty(Directory.GetFiles(AttachmentDir));
        var stored = await Store.FindAsync(hazard.Id, CancellationToken.None);
        Assert.Empty(stored!.Attachments);
        Assert.Single(stored.Audit);
        Assert.Equal(1, stored.Version);
    }

    [Fact]
    public async Task Pdf_jpeg_webp_and_xlsx_are_recognised_by_their_first_bytes()
    {
        Assert.Equal("application/pdf", Attachments.AttachmentStore.Sniff("%PDF-1.7\n"u8, "a.bin"));
        Assert.Equal("image/jpeg", Attachments.AttachmentStore.Sniff([0xFF, 0xD8, 0xFF, 0xE0], "a.png"));
        Assert.Equal("image/webp", Attachments.AttachmentStore.Sniff("RIFF\x10\0\0\0WEBPVP8 "u8, "a.webp"));
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Attachments.AttachmentStore.Sniff([0x50, 0x4B, 0x03, 0x04], "清单.XLSX"));
        Assert.Null(Attachments.AttachmentStore.Sniff("GIF89a"u8, "a.gif"));
        await Task.CompletedTask;
    }

    internal static byte[] Png(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        byte[] magic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        magic.CopyTo(bytes, 0);
        return bytes;
    }
}
