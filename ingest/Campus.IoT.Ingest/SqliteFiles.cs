using Microsoft.Data.Sqlite;

namespace Campus.IoT.Ingest;

/// <summary>How ingest opens its SQLite files: directory created, WAL, the given durability, a busy timeout, the schema.</summary>
internal static class SqliteFiles
{
    /// <param name="synchronous"><c>FULL</c> where a commit must survive a power cut, <c>NORMAL</c> where a crash of the process is enough.</param>
    public static SqliteConnection Open(string path, string synchronous, string schema)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = {synchronous};
                PRAGMA busy_timeout = 10000;
                {schema}
                """;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
