using Microsoft.Extensions.Options;

namespace Campus.IoT.Dashboard.Devices;

/// <summary>Checks <c>Campus:Health</c> at start and lists every error at once.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var errors = new List<string>();
        if (options.StaleMultiple is < 1 or > 100 || double.IsNaN(options.StaleMultiple))
        {
            errors.Add($"{HealthOptions.Section}:StaleMultiple {options.StaleMultiple} must be 1..100");
        }

        if (options.StaleFloor < TimeSpan.Zero || options.StaleFloor > TimeSpan.FromDays(1))
        {
            errors.Add($"{HealthOptions.Section}:StaleFloor must be between 00:00:00 and 1.00:00:00");
        }

        if (options.LowBatteryPercent is < 0 or > 100 || double.IsNaN(options.LowBatteryPercent))
        {
            errors.Add($"{HealthOptions.Section}:LowBatteryPercent {options.LowBatteryPercent} must be 0..100");
        }

        if (options.WeakSignalDbm is < -200 or > 0 || double.IsNaN(options.WeakSignalDbm))
        {
            errors.Add($"{HealthOptions.Section}:WeakSignalDbm {options.WeakSignalDbm} must be -200..0");
        }

        if (options.EvaluateEvery < TimeSpan.FromSeconds(1) || options.EvaluateEvery > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{HealthOptions.Section}:EvaluateEvery must be between 00:00:01 and 00:10:00");
        }

        for (var i = 0; i < options.Buildings.Count; i++)
        {
            var rule = options.Buildings[i];
            if (string.IsNullOrWhiteSpace(rule.Devices))
            {
                errors.Add($"{HealthOptions.Section}:Buildings:{i}:Devices must be a device glob such as lab3-*");
            }

            if (string.IsNullOrWhiteSpace(rule.Building) || rule.Building.Length > 64)
            {
                errors.Add($"{HealthOptions.Section}:Buildings:{i}:Building must name the building (1-64 characters)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
