using System.Security.Cryptography;
using System.Text;

namespace Campus.IoT.Cli.Provisioning;

/// <summary>
/// Mosquitto 2.0's password-file hash, the one <c>mosquitto_passwd</c> writes:
/// <c>$7$ITERATIONS$base64(salt)$base64(PBKDF2-HMAC-SHA512(password, salt, ITERATIONS, 64 bytes))</c> with a 12-byte salt.
/// </summary>
internal static class MosquittoPassword
{
    /// <summary>The iteration count <c>mosquitto_passwd</c> 2.0 writes. The broker re-hashes on every CONNECT, and the secrets
    /// this CLI issues are 256 random bits, so a slow hash would add CONNECT latency without adding strength.</summary>
    public const int Iterations = 101;

    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    /// <summary>A fresh secret: 32 random bytes, base64url without padding (43 characters, safe in JSON, shells and URLs).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The <c>$7$…</c> hash of <paramref name="password"/> with a random salt.</summary>
    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes), Iterations);

    public static string Hash(string password, byte[] salt, int iterations)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"$7${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="stored"/> is a <c>$7$</c> hash of <paramref name="password"/> (constant-time compare).</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 5 || parts[0].Length != 0 || parts[1] != "7" || !int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[3]);
            var expected = Convert.FromBase64String(parts[4]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
