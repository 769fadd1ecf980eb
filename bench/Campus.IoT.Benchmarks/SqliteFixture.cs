using Campus.IoT.Ingest;
using Microsoft.Data.Sqlite;

namespace Campus.IoT.Benchmarks;

internal static class SqliteFixture
{
    /// <summary>
    /// Writes <paramref name="rounds"/> rounds of the school's stream (500 messages per Write), starting at round <paramref name="firstRound"/>, through
    /// the project's store (<paramref name="layout"/> null) or the local store of that layout, then closes the file (which
    /// checkpoints the WAL into it).
    /// </summary>
    public static void Load(string path, ReadingsLayout? layout, int firstRound, int rounds)
    {
        const int Chunk = 20 * ReadingData.RoundsPerWrite;
        using (var project = layout is null ? new SqliteReadingStore(path) : null)
        using (var local = layout is { } l ? new LayoutReadingStore(path, l) : null)
        {
            for (var done = 0; done < rounds; done += Chunk)
            {
                foreach (var write in ReadingData.Writes(firstRound + done, Math.Min(Chunk, rounds - done)))
                {
                    if (project is not null)
                    {
                        project.Write(write);
                    }
                    else
                    {
                        local!.Write(write);
                    }
                }
            }
        }

        SqliteConnection.ClearAllPools();
        if (File.Exists(path + "-wal"))
        {
            throw new InvalidOperationException("the WAL was not checkpointed on close");
        }
    }
}
