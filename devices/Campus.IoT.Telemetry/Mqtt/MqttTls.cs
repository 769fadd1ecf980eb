using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Campus.IoT.Telemetry.Mqtt;

/// <summary>
/// How every platform MQTT client checks a broker's certificate: it must name the host it was reached at, and chain to the
/// system's roots or, when a CA file (PEM) is configured, to that CA only (a school or district CA; docs/security.md).
/// </summary>
public static class MqttTls
{
    public static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? trusted)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (trusted is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>The certificates in a PEM file (a CA bundle).</summary>
    public static X509Certificate2Collection LoadCa(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection;
    }
}
