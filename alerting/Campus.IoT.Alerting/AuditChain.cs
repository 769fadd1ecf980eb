using System.Security.Cryptography;
using System.Text.Json;

namespace Campus.IoT.Alerting;

/// <summary>
/// The alarm audit log's hash chain: each row's hash is SHA-256 over the previous row's hash and the row's own fields
/// (written as a JSON array, so no two different rows can serialise alike). Editing, deleting, inserting or reordering a
/// row breaks the chain at that row, which <see cref="IAlarmStore.VerifyAudit"/> reports.
/// </summary>
internal static class AuditChain
{
    public static string Hash(string previousHash, long seq, string alarmId, long at, string transition, string state, string by, string? note)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(previousHash);
            json.WriteNumberValue(seq);
            json.WriteStringValue(alarmId);
            json.WriteNumberValue(at);
            json.WriteStringValue(transition);
            json.WriteStringValue(state);
            json.WriteStringValue(by);
            if (note is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }
}

/// <summary>The outcome of checking the audit chain: rows checked, and where and why it is broken, if it is.</summary>
public sealed record AuditVerification(bool Intact, long Rows, long? BrokenAtSeq, string? Reason);
