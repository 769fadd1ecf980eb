using System.Text;

namespace Campus.IoT.Cli.Provisioning;

/// <summary>
/// The broker's <c>passwd</c> (Mosquitto password file) and <c>acl</c> (Mosquitto <c>acl_file</c>) in one directory,
/// read and changed under an exclusive lock and written back atomically: each file goes to a temporary file in the same
/// directory, is flushed to disk and renamed over the original, so the broker (which re-reads both on SIGHUP) never sees
/// a half-written file. Lines and blocks this CLI did not write (accounts added with <c>mosquitto_passwd</c>, hand-written
/// ACL blocks, <c>pattern</c> lines) are kept as they are.
/// </summary>
internal sealed class BrokerFiles : IDisposable
{
    public const string PasswordFileName = "passwd";
    public const string AclFileName = "acl";
    private const string LockFileName = ".campus-provision.lock";
    private const string ManagedComment = "# campus ";

    private readonly FileStream _lock;
    private readonly List<string> _passwd;
    private readonly List<string> _acl;
    private readonly string? _originalPasswd;
    private readonly string? _originalAcl;

    private BrokerFiles(string directory, FileStream lockFile, string? passwd, string? acl)
    {
        Directory = directory;
        _lock = lockFile;
        _originalPasswd = passwd;
        _originalAcl = acl;
        _passwd = Lines(passwd);
        _acl = Lines(acl);
    }

    public string Directory { get; }

    public string PasswordPath => Path.Combine(Directory, PasswordFileName);

    public string AclPath => Path.Combine(Directory, AclFileName);

    /// <summary>Opens the files in <paramref name="directory"/> (either may be absent: it is created on save).</summary>
    public static BrokerFiles Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new ProvisioningException($"broker directory {directory} does not exist (give it with --dir)");
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ProvisioningException($"cannot write in {directory}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new ProvisioningException($"cannot lock {directory} (is another campus provision running?): {e.Message}", e);
        }

        try
        {
            return new BrokerFiles(directory, lockFile, ReadText(Path.Combine(directory, PasswordFileName)), ReadText(Path.Combine(directory, AclFileName)));
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Every username in the password file, in file order.</summary>
    public IEnumerable<string> Users() => _passwd.Select(UserOf).OfType<string>();

    public bool Contains(string user) => _passwd.Any(l => UserOf(l) == user);

    public string? HashOf(string user) => _passwd.Select(l => UserOf(l) == user ? l[(user.Length + 1)..] : null).FirstOrDefault(h => h is not null);

    /// <summary>The ACL lines of <paramref name="user"/>'s block (from its <c>user</c> line to the next block), or empty.</summary>
    public IReadOnlyList<string> AclOf(string user)
    {
        var (start, end) = AclBlock(user);
        return start < 0 ? [] : _acl[start..end];
    }

    /// <summary>Sets (adds or replaces) a user's password hash and ACL block.</summary>
    public void Set(string user, string hash, IReadOnlyList<string> aclLines)
    {
        var line = $"{user}:{hash}";
        var index = _passwd.FindIndex(l => UserOf(l) == user);
        if (index >= 0)
        {
            _passwd[index] = line;
        }
        else
        {
            _passwd.Add(line);
        }

        RemoveAcl(user);
        if (_acl.Count > 0 && _acl[^1].Length > 0)
        {
            _acl.Add(string.Empty);
        }

        _acl.AddRange(aclLines);
    }

    /// <summary>Removes a user's password line and ACL block; false when it had neither.</summary>
    public bool Remove(string user)
    {
        var removed = _passwd.RemoveAll(l => UserOf(l) == user) > 0;
        return RemoveAcl(user) | removed;
    }

    /// <summary>
    /// Writes both files. <paramref name="grant"/> orders the renames so that a crash between them errs on the safe side:
    /// when granting, the ACL goes first (an ACL block without a password lets nobody in); when revoking, the password goes
    /// first (the account stops authenticating before its ACL block disappears). When the second rename fails, the first
    /// file is put back as it was, so an error leaves both files unchanged.
    /// </summary>
    public void Save(bool grant)
    {
        var passwd = Stage(PasswordPath, _passwd, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        string? acl = null;
        try
        {
            acl = Stage(AclPath, _acl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var (first, firstPath, firstOriginal, second, secondPath) = grant
                ? (acl, AclPath, _originalAcl, passwd, PasswordPath)
                : (passwd, PasswordPath, _originalPasswd, acl, AclPath);
            Commit(first, firstPath);
            try
            {
                Commit(second, secondPath);
            }
            catch (ProvisioningException)
            {
                Restore(firstPath, firstOriginal);
                throw;
            }
        }
        finally
        {
            TryDelete(passwd);
            if (acl is not null)
            {
                TryDelete(acl);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file next to <paramref name="path"/> (fsync'd, with
    /// <paramref name="mode"/> or the existing file's mode); <see cref="Commit"/> renames it into place.
    /// </summary>
    public static string StageText(string path, string content, UnixFileMode mode) => StageFile(path, content, mode);

    /// <summary>Renames a staged file over <paramref name="path"/>.</summary>
    public static void Commit(string temp, string path)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProvisioningException($"cannot replace {path}: {e.Message}", e);
        }
    }

    /// <summary>Deletes a staged file that was not committed; a failure is ignored (the broker never reads it).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless: the broker never reads it.
        }
    }

    public void Dispose() => _lock.Dispose();

    private static string Stage(string path, List<string> lines, UnixFileMode newFileMode) =>
        StageFile(path, lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n", newFileMode);

    private static void Restore(string path, string? original)
    {
        try
        {
            if (original is null)
            {
                File.Delete(path);
            }
            else
            {
                var temp = StageFile(path, original, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                Commit(temp, path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProvisioningException)
        {
            // Best effort: the order of the renames already left the safe half in place.
        }
    }

    private static List<string> Lines(string? text)
    {
        if (text is null)
        {
            return [];
        }

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static string StageFile(string path, string content, UnixFileMode newFileMode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var mode = File.Exists(path) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(path) : newFileMode;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            return temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new ProvisioningException($"cannot write {path}: {e.Message}", e);
        }
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProvisioningException($"cannot read {path}: {e.Message}", e);
        }
    }

    private static string? UserOf(string passwdLine)
    {
        var colon = passwdLine.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && !passwdLine.StartsWith('#') ? passwdLine[..colon] : null;
    }

    private bool RemoveAcl(string user)
    {
        var (start, end) = AclBlock(user);
        if (start < 0)
        {
            return false;
        }

        while (start > 0 && _acl[start - 1].StartsWith(ManagedComment, StringComparison.Ordinal))
        {
            start--;
        }

        _acl.RemoveRange(start, end - start);
        while (_acl.Count > 0 && _acl[^1].Length == 0)
        {
            _acl.RemoveAt(_acl.Count - 1);
        }

        return true;
    }

    private (int Start, int End) AclBlock(string user)
    {
        var start = _acl.FindIndex(l => l.Trim() == $"user {user}");
        if (start < 0)
        {
            return (-1, -1);
        }

        var end = start + 1;
        while (end < _acl.Count && !_acl[end].TrimStart().StartsWith("user ", StringComparison.Ordinal) && !_acl[end].StartsWith(ManagedComment, StringComparison.Ordinal))
        {
            end++;
        }

        return (start, end);
    }
}
