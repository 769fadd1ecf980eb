using Microsoft.Extensions.Options;

namespace Campus.IoT.Hazards.Reminders;

/// <summary>Checks <c>Campus:Hazards:Reminders</c> at start and lists every error at once.</summary>
internal sealed class HazardReminderOptionsValidator : IValidateOptions<HazardReminderOptions>
{
    public ValidateOptionsResult Validate(string? name, HazardReminderOptions options) =>
        options.Validate().ToList() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
