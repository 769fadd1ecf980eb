using Microsoft.Extensions.Options;

namespace Campus.IoT.Hazards;

/// <summary>Checks the <c>Campus:Hazards</c> section at start and lists every error at once.</summary>
internal sealed class HazardOptionsValidator : IValidateOptions<HazardOptions>
{
    public ValidateOptionsResult Validate(string? name, HazardOptions options)
    {
        var errors = new List<string>();
        if (!options.TryGetProvider(out var provider))
        {
            errors.Add($"Campus:Hazards:Provider '{options.Provider}' must be sqlite or postgres");
        }
        else if (provider == HazardProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("Campus:Hazards:ConnectionString must be set when Campus:Hazards:Provider is postgres");
        }

        if (options.AttachmentDir is { } dir && string.IsNullOrWhiteSpace(dir))
        {
            errors.Add("Campus:Hazards:AttachmentDir must name a directory when set");
        }

        if (options.MaxAttachmentBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            errors.Add($"Campus:Hazards:MaxAttachmentBytes {options.MaxAttachmentBytes} must be between 1024 and 1073741824");
        }

        if (options.AlarmRepeat.Count is < 2 or > 1000)
        {
            errors.Add($"Campus:Hazards:AlarmRepeat:Count {options.AlarmRepeat.Count} must be between 2 and 1000");
        }

        if (options.AlarmRepeat.Days is < 1 or > 366)
        {
            errors.Add($"Campus:Hazards:AlarmRepeat:Days {options.AlarmRepeat.Days} must be between 1 and 366");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
