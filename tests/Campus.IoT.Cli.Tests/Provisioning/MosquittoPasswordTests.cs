using System.Diagnostics;
using Campus.IoT.Cli.Provisioning;

namespace Campus.IoT.Cli.Tests.Provisioning;

public sealed class MosquittoPasswordTests
{
    [Fact]
    public void A_hash_written_by_mosquitto_passwd_verifies_and_ours_has_its_layout()
    {
        // Written by `mosquitto_passwd -c -b passwd user secret` (Mosquitto 2.0.11).
        const string Stored = "$7$101$ehsrBbw1WSSD7DO+$MxhlNMCTUSDAGyeRZKbrG95tgP0S9iImQr+YSXFAH6h2w6lpA1KXMNwVUKAdRt3ikYdgX76Ike7bfFzagZA9fQ==";
        Assert.True(MosquittoPassword.Verify("secret", Stored));
        Assert.False(MosquittoPassword.Verify("Secret", Stored));
        Assert.Equal(Stored, MosquittoPassword.Hash("secret", Convert.FromBase64String("ehsrBbw1WSSD7DO+"), 101));

        var ours = MosquittoPassword.Hash("another secret");
        var parts = ours.Split('$');
        Assert.Equal(["", "7", "101"], parts[..3]);
        Assert.Equal(12, Convert.FromBase64String(parts[3]).Length);
        Assert.Equal(64, Convert.FromBase64String(parts[4]).Length);
        Assert.True(MosquittoPassword.Verify("another secret", ours));
    }

    [Fact]
    public async Task A_fresh_mosquitto_passwd_line_verifies()
    {
        var file = Path.GetTempFileName();
        try
        {
            using (var process = Process.Start(new ProcessStartInfo("mosquitto_passwd", ["-b", file, "gw", "pa55-word"]) { RedirectStandardError = true, RedirectStandardOutput = true })!)
            {
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
            }

            var line = (await File.ReadAllLinesAsync(file)).Single(l => l.StartsWith("gw:", StringComparison.Ordinal));
            Assert.True(MosquittoPassword.Verify("pa55-word", line[3..]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Secrets_are_43_base64url_characters_and_never_repeat()
    {
        var secrets = Enumerable.Range(0, 100).Select(_ => MosquittoPassword.NewSecret()).ToList();
        Assert.All(secrets, s => Assert.Matches("^[A-Za-z0-9_-]{43}$", s));
        Assert.Equal(100, secrets.Distinct().Count());
    }
}
