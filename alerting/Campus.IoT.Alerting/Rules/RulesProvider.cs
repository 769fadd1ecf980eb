using Microsoft.Extensions.Logging;

namespace Campus.IoT.Alerting.Rules;

/// <summary>
/// The rules in force: the built-in defaults, or a rules file watched for changes. A change is parsed whole; if it has any
/// error, every error is logged with file, line and reason, kept in <see cref="LastErrors"/>, and the previous valid rules
/// stay active (an editor's half-saved file never leaves the school without fire rules).
/// </summary>
public sealed partial class RulesProvider : IDisposable
{
    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly Lock _lock = new();
    private volatile RuleSet _current;
    private IReadOnlyList<RuleError> _lastErrors = [];

    /// <param name="path">The rules file, or null for the built-in defaults only.</param>
    public RulesProvider(string? path, ILogger<RulesProvider> logger)
    {
        _path = path is null ? null : Path.GetFullPath(path);
        _logger = logger;
        _current = RuleSet.Defaults;
        if (_path is null)
        {
            return;
        }

        Reload();
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Reload();
        _watcher.Created += (_, _) => Reload();
        _watcher.Renamed += (_, _) => Reload();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The rules in force.</summary>
    public RuleSet Current => _current;

    /// <summary>The errors of the last load that failed (empty after a good one).</summary>
    public IReadOnlyList<RuleError> LastErrors
    {
        get
        {
            lock (_lock)
            {
                return _lastErrors;
            }
        }
    }

    /// <summary>Raised after new rules took effect.</summary>
    public event Action<RuleSet>? Changed;

    /// <summary>Reads the file again now; returns true when its rules took effect.</summary>
    public bool Reload()
    {
        if (_path is null)
        {
            return false;
        }

        lock (_lock)
        {
            string text;
            try
            {
                text = File.ReadAllText(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _lastErrors = [new RuleError(_path, 0, 0, $"cannot read the rules file: {ex.Message}")];
                LogRejected(_logger, _path, _lastErrors[0].ToString(), _current.Source);
                return false;
            }

            var result = RulesParser.Parse(text, _path);
            if (result.Rules is null)
            {
                _lastErrors = result.Errors;
                foreach (var error in result.Errors)
                {
                    LogRejected(_logger, _path, error.ToString(), _current.Source);
                }

                return false;
            }

            if (_current.Source == result.Rules.Source && _current.Rules.SequenceEqual(result.Rules.Rules) && _current.Assignments.SequenceEqual(result.Rules.Assignments))
            {
                _lastErrors = [];
                return true;
            }

            _current = result.Rules;
            _lastErrors = [];
            LogLoaded(_logger, _path, result.Rules.Rules.Count, result.Rules.Assignments.Count);
        }

        Changed?.Invoke(_current);
        return true;
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Rules from {Path} in force: {Rules} rules, {Assignments} profile assignments")]
    private static partial void LogLoaded(ILogger logger, string path, int rules, int assignments);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Rules file {Path} rejected: {Error}; the rules from {Active} stay in force")]
    private static partial void LogRejected(ILogger logger, string path, string error, string active);
}
