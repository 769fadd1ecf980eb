using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting;

/// <summary>Told of every gateway status the alerting subscription receives (retained on connect, the Last Will on loss).</summary>
public interface IGatewayStatusObserver
{
    void GatewayStatus(string site, string gateway, GatewayStatus status);
}
