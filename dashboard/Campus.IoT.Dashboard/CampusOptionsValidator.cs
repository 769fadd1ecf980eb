using System.Net;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard;

/// <summary>Checks the whole <c>Campus</c> section at start and lists every error at once.</summary>
internal sealed class CampusOptionsValidator : IValidateOptions<CampusOptions>
{
    public ValidateOptionsResult Validate(string? name, CampusOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Campus:DataDir must name a directory");
        }

        if (options.InstanceId is { Length: > 0 } id && !Identifier.IsValid(id))
        {
            errors.Add($"Campus:InstanceId '{id}' must match [a-z0-9][a-z0-9-]{{0,62}}");
        }

        var mqtt = options.Mqtt;
        if (!mqtt.UseEmbedded && !MqttEndpoint.TryParse(mqtt.Broker, out _))
        {
            errors.Add($"Campus:Mqtt:Broker '{mqtt.Broker}' is not mqtt://host:port");
        }

        if (mqtt.UseEmbedded)
        {
            if (mqtt.EmbeddedPort is < 1 or > 65535)
            {
                errors.Add($"Campus:Mqtt:EmbeddedPort {mqtt.EmbeddedPort} is not a TCP port (1-65535)");
            }

            if (!IPAddress.TryParse(mqtt.EmbeddedBindAddress, out _))
            {
                errors.Add($"Campus:Mqtt:EmbeddedBindAddress '{mqtt.EmbeddedBindAddress}' is not an IP address");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
