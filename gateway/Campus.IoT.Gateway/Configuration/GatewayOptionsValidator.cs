using System.IO.Ports;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Telemetry;
using Campus.IoT.Telemetry.Mqtt;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Gateway.Configuration;

/// <summary>Checks the whole gateway configuration at start and lists every error at once, naming the device.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "ds18b20", "bme280", "sht3x", "gpio-smoke", "mq2", "panel" };

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (!Identifier.IsValid(options.Site))
        {
            errors.Add($"Gateway:Site '{options.Site}' must match [a-z0-9][a-z0-9-]{{0,62}}");
        }

        if (!Identifier.IsValid(options.Id))
        {
            errors.Add($"Gateway:Id '{options.Id}' must match [a-z0-9][a-z0-9-]{{0,62}}");
        }

        if (!TryParseBroker(options.Broker, out _, out _))
        {
            errors.Add($"Gateway:Broker '{options.Broker}' is not mqtt://host:port or mqtts://host:port");
        }

        if (options.CaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            errors.Add($"Gateway:CaFile '{ca}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(options.SpoolDirectory))
        {
            errors.Add("Gateway:SpoolDirectory must name a directory");
        }

        if (options.SpoolMaxMegabytes is < 8 or > 1_000_000)
        {
            errors.Add($"Gateway:SpoolMaxMegabytes {options.SpoolMaxMegabytes} must be 8..1000000");
        }

        if (options.HealthIntervalSeconds is < 5 or > 3600)
        {
            errors.Add($"Gateway:HealthIntervalSeconds {options.HealthIntervalSeconds} must be 5..3600");
        }

        if (options.Devices.Count == 0)
        {
            errors.Add("Gateway:Devices lists no device");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var d = options.Devices[i];
            var where = $"Gateway:Devices:{i} ({d.Id})";
            if (!Identifier.IsValid(d.Id))
            {
                errors.Add($"{where}: Id must match [a-z0-9][a-z0-9-]{{0,62}}");
            }
            else if (!seen.Add(d.Id))
            {
                errors.Add($"{where}: Id is used twice");
            }

            if (!Kinds.Contains(d.Kind))
            {
                errors.Add($"{where}: Kind '{d.Kind}' is not one of {string.Join(", ", Kinds)}");
                continue;
            }

            if (d.Kind != "panel" && d.Kind != "gpio-smoke" && d.PollSeconds is < 1 or > 3600)
            {
                errors.Add($"{where}: PollSeconds {d.PollSeconds} must be 1..3600");
            }

            switch (d.Kind)
            {
                case "ds18b20" when string.IsNullOrWhiteSpace(d.Address) || !d.Address.StartsWith("28-", StringComparison.Ordinal):
                    errors.Add($"{where}: a ds18b20 needs Address, its 1-Wire id like 28-0316a2799dff");
                    break;
                case "bme280" when d.I2cAddress is not (0x76 or 0x77):
                    errors.Add($"{where}: a bme280 needs I2cAddress 118 (0x76) or 119 (0x77)");
                    break;
                case "sht3x" when d.I2cAddress is not (0x44 or 0x45):
                    errors.Add($"{where}: an sht3x needs I2cAddress 68 (0x44) or 69 (0x45)");
                    break;
                case "mq2" when d.Channel is not (>= 0 and <= 7):
                    errors.Add($"{where}: an mq2 needs Channel 0-7 of its MCP3008");
                    break;
                case "gpio-smoke" when d.Pin is not (>= 0 and <= 27) || d.DebounceMilliseconds is < 10 or > 10_000:
                    errors.Add($"{where}: a gpio-smoke needs Pin 0-27 (BCM) and DebounceMilliseconds 10-10000");
                    break;
                case "panel":
                    ValidatePanel(d, where, errors);
                    break;
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary><c>mqtt://</c> (plain) or <c>mqtts://</c> (TLS, default port 8883).</summary>
    public static bool TryParseBroker(string? text, out MqttEndpoint endpoint, out bool tls)
    {
        tls = text?.StartsWith("mqtts://", StringComparison.Ordinal) == true;
        if (tls)
        {
            var uri = new Uri(text!);
            endpoint = new MqttEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 8883 : uri.Port);
            return !string.IsNullOrEmpty(uri.Host);
        }

        return MqttEndpoint.TryParse(text, out endpoint);
    }

    private static void ValidatePanel(DeviceOptions d, string where, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(d.Port))
        {
            errors.Add($"{where}: a panel needs Port, e.g. /dev/ttyUSB0");
        }

        if (d.Protocol is null || !PanelParsers.Formats.Contains(d.Protocol))
        {
            errors.Add($"{where}: Protocol '{d.Protocol}' is not one of {string.Join(", ", PanelParsers.Formats)}");
        }

        if (d.BaudRate is < 300 or > 921_600)
        {
            errors.Add($"{where}: BaudRate {d.BaudRate} must be 300..921600");
        }

        if (!Enum.TryParse<Parity>(d.Parity, ignoreCase: true, out _))
        {
            errors.Add($"{where}: Parity '{d.Parity}' is not None, Odd, Even, Mark or Space");
        }

        if (!Enum.TryParse<StopBits>(d.StopBits, ignoreCase: true, out _))
        {
            errors.Add($"{where}: StopBits '{d.StopBits}' is not One, OnePointFive or Two");
        }

        if (d.DataBits is < 5 or > 8)
        {
            errors.Add($"{where}: DataBits {d.DataBits} must be 5..8");
        }
    }
}
