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

        if (!SchoolTimeZone.TryResolve(options.TimeZone, out _))
        {
            errors.Add($"Campus:TimeZone '{options.TimeZone}' is not a time zone this machine knows (an IANA id such as Asia/Shanghai)");
        }

        if (options.Auth.Anonymous is { Length: > 0 } anonymous && anonymous != Auth.Roles.Guard)
        {
            errors.Add($"Campus:Auth:Anonymous '{anonymous}' must be empty or guard (anonymous visitors never get more than a guard's rights)");
        }

        if (options.Auth.AnonymousSites.Split(',', StringSplitOptions.TrimEntries).Any(s => s != "*" && !Identifier.IsValid(s)))
        {
            errors.Add($"Campus:Auth:AnonymousSites '{options.Auth.AnonymousSites}' must be * or a comma list of site identifiers");
        }

        if (options.Auth.Session < TimeSpan.FromMinutes(5) || options.Auth.Session > TimeSpan.FromDays(7))
        {
            errors.Add("Campus:Auth:Session must be between 00:05:00 and 7.00:00:00");
        }

        if (options.Cluster.Enabled && !Cluster.ClusterSetup.TryParse(options.Cluster.Redis, out var redisError))
        {
            errors.Add($"Campus:Cluster:Redis is not a StackExchange.Redis configuration string (host:port[,option=value…]): {redisError}");
        }

        var mqtt = options.Mqtt;
        if (!mqtt.UseEmbedded && !MqttEndpoint.TryParse(mqtt.Broker, out _))
        {
            errors.Add($"Campus:Mqtt:Broker '{mqtt.Broker}' is not mqtt://host:port or mqtts://host:port");
        }

        if (!mqtt.UseEmbedded && string.IsNullOrEmpty(mqtt.Username) != string.IsNullOrEmpty(mqtt.Password))
        {
            errors.Add("Campus:Mqtt:Username and Campus:Mqtt:Password must be set together");
        }

        if (!mqtt.UseEmbedded && mqtt.CaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            errors.Add($"Campus:Mqtt:CaFile {ca} does not exist");
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
