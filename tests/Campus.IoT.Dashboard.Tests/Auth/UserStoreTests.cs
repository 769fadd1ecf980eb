using Campus.IoT.Dashboard.Auth;

namespace Campus.IoT.Dashboard.Tests.Auth;

/// <summary>The users file shared by several nodes (<c>Campus:Auth:Database</c>): two stores, two connections, one file.</summary>
public sealed class UserStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("campus-users-").FullName;

    [Fact]
    public async Task Two_stores_adding_the_same_name_at_once_on_one_file_keep_exactly_one()
    {
        for (var round = 0; round < 20; round++)
        {
            var file = Path.Combine(_dir, $"auth-{round}.db");
            using var first = new UserStore(file, TimeProvider.System);
            using var second = new UserStore(file, TimeProvider.System);
            using var start = new Barrier(2);
            var added = await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); return first.Add(Admin, "password-of-first"); }),
                Task.Run(() => { start.SignalAndWait(); return second.Add(Admin, "password-of-second"); }));

            Assert.Single(added, a => a);
            var winner = added[0] ? "password-of-first" : "password-of-second";
            var loser = added[0] ? "password-of-second" : "password-of-first";
            Assert.NotNull(first.Verify("admin", winner));
            Assert.NotNull(second.Verify("admin", winner));
            Assert.Null(second.Verify("admin", loser));
            Assert.Single(first.All());
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly CampusUser Admin = new() { Username = "admin", DisplayName = "admin", Role = Roles.DistrictAdmin, Sites = ["*"], MustChangePassword = true };
}
