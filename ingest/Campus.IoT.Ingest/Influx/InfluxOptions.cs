namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// The <c>Campus:Storage</c> configuration section as the InfluxDB stores read it. <see cref="Kind"/> chooses the store:
/// <c>sqlite</c> (the embedded default; none of the other keys apply), <c>influxdb2</c> (InfluxDB 2.x/3.x: token, org,
/// bucket) or <c>influxdb1</c> (InfluxDB 1.x: database, optional retention policy, optional user and password).
/// See docs/storage.md.
/// </summary>
internal sealed class InfluxOptions
{
    public const string Section = "Campus:Storage";
    public const string Sqlite = "sqlite";
    public const string InfluxDb2 = "influxdb2";
    public const string InfluxDb1 = "influxdb1";

    public string Kind { get; set; } = Sqlite;

    /// <summary>The server's base URL, e.g. <c>http://influxdb:8086</c>.</summary>
    public string? Url { get; set; }

    /// <summary>API token (influxdb2), sent as <c>Authorization: Token …</c> on writes and reads.</summary>
    public string? Token { get; set; }

    /// <summary>Organisation (influxdb2).</summary>
    public string? Org { get; set; }

    /// <summary>Bucket (influxdb2). InfluxQL reads use it as the database through the bucket's DBRP mapping.</summary>
    public string? Bucket { get; set; }

    /// <summary>Database (influxdb1).</summary>
    public string? Database { get; set; }

    /// <summary>Retention policy for writes and reads; the database's default when empty.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>User name (influxdb1), sent with HTTP basic authentication when set.</summary>
    public string? Username { get; set; }

    /// <summary>Password (influxdb1).</summary>
    public string? Password { get; set; }

    /// <summary>Time limit of one write or query request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsInflux => IsKind(InfluxDb2) || IsKind(InfluxDb1);

    public bool IsKind(string kind) => string.Equals(Kind, kind, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every configuration error at once (empty when the options are usable), each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IsKind(Sqlite))
        {
            return errors;
        }

        if (!IsInflux)
        {
            errors.Add($"{Section}:Kind is '{Kind}': use '{Sqlite}', '{InfluxDb2}' or '{InfluxDb1}'");
            return errors;
        }

        if (string.IsNullOrWhiteSpace(Url))
        {
            errors.Add($"{Section}:Url is required for {Kind}");
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                 || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"{Section}:Url '{Url}' is not an absolute http:// or https:// URL without query or fragment");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:Timeout must be positive (was {Timeout})");
        }

        if (IsKind(InfluxDb2))
        {
            Require(errors, Token, "Token");
            Require(errors, Org, "Org");
            Require(errors, Bucket, "Bucket");
        }
        else
        {
            Require(errors, Database, "Database");
            if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
            {
                errors.Add($"{Section}:Username and {Section}:Password must be set together");
            }
        }

        return errors;
    }

    /// <summary>The base URL with a trailing slash, so relative request paths keep a path prefix (a reverse proxy's).</summary>
    public Uri BaseAddress()
    {
        var url = Url ?? throw new InvalidOperationException($"{Section}:Url is not set");
        return new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute);
    }

    internal void ThrowIfInvalid(string expectedKind)
    {
        var errors = new List<string>(Validate());
        if (!IsKind(expectedKind))
        {
            errors.Insert(0, $"{Section}:Kind is '{Kind}', expected '{expectedKind}'");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid storage options: " + string.Join("; ", errors));
        }
    }

    private void Require(List<string> errors, string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{Section}:{key} is required for {Kind}");
        }
    }
}
