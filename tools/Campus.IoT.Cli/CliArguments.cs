using System.Globalization;

namespace Campus.IoT.Cli;

/// <summary><c>--name value</c> options and <c>--flag</c> switches after the command words; unknown names are errors.</summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    public static bool TryParse(IReadOnlyList<string> args, IReadOnlySet<string> valueNames, IReadOnlySet<string> flagNames, out CliArguments parsed, out string error)
    {
        parsed = new CliArguments();
        error = string.Empty;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (flagNames.Contains(name) && eq < 0)
            {
                parsed._flags.Add(name);
            }
            else if (valueNames.Contains(name))
            {
                if (eq > 0)
                {
                    parsed._values[name] = arg[(eq + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    parsed._values[name] = args[++i];
                }
                else
                {
                    error = $"{name} needs a value";
                    return false;
                }
            }
            else
            {
                error = $"unknown option '{arg}'";
                return false;
            }
        }

        return true;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string name) => _values.GetValueOrDefault(name);

    public bool TryInt(string name, int fallback, int min, int max, out int value, List<string> errors)
    {
        value = fallback;
        if (_values.TryGetValue(name, out var text) && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value < min || value > max))
        {
            errors.Add($"{name} must be a whole number from {min} to {max}");
            return false;
        }

        return true;
    }

    public bool TryDouble(string name, double fallback, double min, double max, out double value, List<string> errors)
    {
        value = fallback;
        if (_values.TryGetValue(name, out var text) && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value) || value < min || value > max))
        {
            errors.Add($"{name} must be a number from {min} to {max}");
            return false;
        }

        return true;
    }
}
