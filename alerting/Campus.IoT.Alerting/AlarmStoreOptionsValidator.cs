using Microsoft.Extensions.Options;

namespace Campus.IoT.Alerting;

/// <summary>Checks the <c>Campus:Alarms</c> section at start and lists every error at once.</summary>
internal sealed class AlarmStoreOptionsValidator : IValidateOptions<AlarmStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, AlarmStoreOptions options)
    {
        var errors = new List<string>();
        if (!options.TryGetProvider(out var provider))
        {
            errors.Add($"Campus:Alarms:Provider '{options.Provider}' must be sqlite or postgres");
        }
        else if (provider == AlarmStoreProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("Campus:Alarms:ConnectionString must be set when Campus:Alarms:Provider is postgres");
        }
        else if (provider == AlarmStoreProvider.Postgres && !IsConnectionString(options.ConnectionString!))
        {
            errors.Add("Campus:Alarms:ConnectionString is not a valid Npgsql connection string");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsConnectionString(string text)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(text);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
