using Microsoft.Extensions.Options;

namespace Campus.IoT.Alerting.Escalation;

/// <summary>Checks <c>Campus:Escalation</c> at start and lists every error at once.</summary>
internal sealed class EscalationStoreOptionsValidator : IValidateOptions<EscalationStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, EscalationStoreOptions options) =>
        options.Validate().ToList() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
