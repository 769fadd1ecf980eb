using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Dashboard.Auth;

/// <summary>
/// Users in SQLite (<c>auth.db</c>), passwords hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2-HMAC-SHA512, salted, iterated; an old-format hash is re-hashed at the next sign-in). Thread-safe; several
/// processes on one host may share the file (<c>Campus:Auth:Database</c>): WAL mode, a busy timeout set before anything
/// else, and an insert that never replaces a row (<see cref="Add"/>).
/// </summary>
internal sealed class UserStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PasswordHasher<CampusUser> _hasher = new();
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public UserStore(string path, TimeProvider time)
    {
        _time = time;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            PRAGMA busy_timeout = 5000;
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS users (
                username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, sites TEXT NOT NULL, rooms TEXT NOT NULL,
                password_hash TEXT NOT NULL, must_change_password INTEGER NOT NULL, disabled INTEGER NOT NULL, created_at INTEGER NOT NULL);
            """;
        create.ExecuteNonQuery();
    }

    public int Count()
    {
        lock (_lock)
        {
            using var count = _connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM users";
            return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Adds a user with <paramref name="password"/>; false when the name is taken. One statement that never replaces a row,
    /// so of two nodes sharing the file that add the same name at once, exactly one succeeds and the other's is dropped.
    /// </summary>
    public bool Add(CampusUser user, string password)
    {
        var hashed = user with { PasswordHash = _hasher.HashPassword(user, password), CreatedAt = _time.GetUtcNow() };
        lock (_lock)
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO users (username, display_name, role, sites, rooms, password_hash, must_change_password, disabled, created_at)
                VALUES ($u, $d, $r, $s, $rooms, $h, $m, $x, $c)
                ON CONFLICT(username) DO NOTHING
                """;
            Bind(insert, hashed);
            return insert.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>The user when the password is right and the account enabled; null otherwise (no hint which was wrong).</summary>
    public CampusUser? Verify(string username, string password)
    {
        lock (_lock)
        {
            if (FindLocked(username) is not { Disabled: false } user)
            {
                // Spend the same work on an unknown name as on a known one, so timing does not tell which names exist.
                _hasher.VerifyHashedPassword(Dummy, DummyHash, password);
                return null;
            }

            var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
            if (result == PasswordVerificationResult.Failed)
            {
                return null;
            }

            if (result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                user = user with { PasswordHash = _hasher.HashPassword(user, password) };
                Upsert(user);
            }

            return user;
        }
    }

    public void SetPassword(string username, string password, bool mustChange)
    {
        lock (_lock)
        {
            var user = FindLocked(username) ?? throw new InvalidOperationException($"no user {username}");
            Upsert(user with { PasswordHash = _hasher.HashPassword(user, password), MustChangePassword = mustChange });
        }
    }

    public CampusUser? Find(string username)
    {
        lock (_lock)
        {
            return FindLocked(username);
        }
    }

    public IReadOnlyList<CampusUser> All()
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT username, display_name, role, sites, rooms, password_hash, must_change_password, disabled, created_at FROM users ORDER BY username";
            return Read(select);
        }
    }

    /// <summary>A random password of 20 characters from an alphabet without look-alikes (for one-time passwords).</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20);

    public void Dispose() => _connection.Dispose();

    private static readonly CampusUser Dummy = new() { Username = "-", DisplayName = "-", Role = Roles.Guard };
    private static readonly string DummyHash = new PasswordHasher<CampusUser>().HashPassword(Dummy, NewPassword());

    private CampusUser? FindLocked(string username)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = "SELECT username, display_name, role, sites, rooms, password_hash, must_change_password, disabled, created_at FROM users WHERE username = $u";
        select.Parameters.AddWithValue("$u", username);
        return Read(select).FirstOrDefault();
    }

    private void Upsert(CampusUser user)
    {
        using var upsert = _connection.CreateCommand();
        upsert.CommandText = """
            INSERT INTO users (username, display_name, role, sites, rooms, password_hash, must_change_password, disabled, created_at)
            VALUES ($u, $d, $r, $s, $rooms, $h, $m, $x, $c)
            ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, sites = excluded.sites,
                rooms = excluded.rooms, password_hash = excluded.password_hash, must_change_password = excluded.must_change_password,
                disabled = excluded.disabled
            """;
        Bind(upsert, user);
        upsert.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, CampusUser user)
    {
        var p = command.Parameters;
        p.AddWithValue("$u", user.Username);
        p.AddWithValue("$d", user.DisplayName);
        p.AddWithValue("$r", user.Role);
        p.AddWithValue("$s", string.Join(',', user.Sites));
        p.AddWithValue("$rooms", string.Join(',', user.Rooms));
        p.AddWithValue("$h", user.PasswordHash);
        p.AddWithValue("$m", user.MustChangePassword ? 1 : 0);
        p.AddWithValue("$x", user.Disabled ? 1 : 0);
        p.AddWithValue("$c", user.CreatedAt.ToUnixTimeMilliseconds());
    }

    private static List<CampusUser> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var users = new List<CampusUser>();
        while (reader.Read())
        {
            users.Add(new CampusUser
            {
                Username = reader.GetString(0),
                DisplayName = reader.GetString(1),
                Role = reader.GetString(2),
                Sites = reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries),
                Rooms = reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries),
                PasswordHash = reader.GetString(5),
                MustChangePassword = reader.GetInt64(6) != 0,
                Disabled = reader.GetInt64(7) != 0,
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            });
        }

        return users;
    }
}
