using Microsoft.Extensions.Options;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>Checks <c>Campus:Notify</c> at start and lists every error at once.</summary>
public sealed class NotifyOptionsValidator : IValidateOptions<NotifyOptions>
{
    public ValidateOptionsResult Validate(string? name, NotifyOptions options) =>
        options.Validate().ToList() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}

/// <summary>
/// <c>Campus:Notify</c>: who the recipient names of the escalation policies are and how to reach them.
/// <c>Recipients:{name}</c> applies to every site; <c>Sites:{site}:{name}</c> replaces it for one site (each school has its
/// own safety officer). The recipient <c>guard-room</c> is the site's board even when not configured.
/// </summary>
public sealed class NotifyOptions
{
    public const string Section = "Campus:Notify";

    public Dictionary<string, RecipientOptions> Recipients { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, RecipientOptions>> Sites { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, WebhookOptions> Webhooks { get; init; } = new(StringComparer.Ordinal);

    public SmtpOptions? Smtp { get; init; }

    public RetryOptions Retry { get; init; } = new();

    /// <summary>The addresses of <paramref name="recipient"/> at <paramref name="site"/>, as (channel, address) pairs.</summary>
    public IReadOnlyList<(string Channel, string Address)> Resolve(string site, string recipient)
    {
        var options = Sites.TryGetValue(site, out var local) && local.TryGetValue(recipient, out var forSite) ? forSite
            : Recipients.TryGetValue(recipient, out var general) ? general
            : null;
        var routes = new List<(string, string)>();
        if (options?.Dashboard ?? recipient == "guard-room")
        {
            routes.Add(("dashboard", site));
        }

        foreach (var hook in options?.Webhooks ?? [])
        {
            routes.Add(("webhook", hook));
        }

        foreach (var mail in options?.Email ?? [])
        {
            routes.Add(("email", mail));
        }

        return routes;
    }

    /// <summary>Every problem with these options (checked at start, all at once).</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, hook) in Webhooks)
        {
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                yield return $"{Section}:Webhooks:{name}:Url must be an absolute http(s) URL (got '{hook.Url}')";
            }

            if (string.IsNullOrEmpty(hook.Secret) || hook.Secret.Length < 16)
            {
                yield return $"{Section}:Webhooks:{name}:Secret must be at least 16 characters (it signs every request)";
            }
        }

        var all = Recipients.Select(r => (Key: r.Key, r.Value)).Concat(Sites.SelectMany(s => s.Value.Select(r => (Key: $"{s.Key}:{r.Key}", r.Value))));
        foreach (var (key, recipient) in all)
        {
            foreach (var hook in recipient.Webhooks.Where(h => !Webhooks.ContainsKey(h)))
            {
                yield return $"{Section} recipient {key}: no webhook '{hook}' under {Section}:Webhooks";
            }

            foreach (var mail in recipient.Email.Where(m => !System.Net.Mail.MailAddress.TryCreate(m, out _)))
            {
                yield return $"{Section} recipient {key}: '{mail}' is not an email address";
            }

            if (recipient.Email.Length > 0 && Smtp is null)
            {
                yield return $"{Section} recipient {key} has email addresses but {Section}:Smtp is not configured";
            }
        }

        if (Smtp is { } smtp && (string.IsNullOrWhiteSpace(smtp.Host) || !System.Net.Mail.MailAddress.TryCreate(smtp.From, out _)))
        {
            yield return $"{Section}:Smtp needs Host and a From address";
        }

        if (Retry.Attempts is < 1 or > 20 || Retry.FirstDelay <= TimeSpan.Zero || Retry.MaxDelay < Retry.FirstDelay)
        {
            yield return $"{Section}:Retry: Attempts 1..20, FirstDelay > 0, MaxDelay >= FirstDelay";
        }
    }
}

public sealed class RecipientOptions
{
    /// <summary>The site's guard-room board (SignalR).</summary>
    public bool? Dashboard { get; init; }

    /// <summary>Names of webhooks under <c>Campus:Notify:Webhooks</c>.</summary>
    public string[] Webhooks { get; init; } = [];

    public string[] Email { get; init; } = [];
}

public sealed class WebhookOptions
{
    public string Url { get; init; } = string.Empty;

    /// <summary>The HMAC-SHA256 key the receiver verifies <c>X-Campus-Signature</c> with.</summary>
    public string Secret { get; init; } = string.Empty;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed class SmtpOptions
{
    public string Host { get; init; } = string.Empty;

    public int Port { get; init; } = 25;

    /// <summary><c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c> or <c>Auto</c> (MailKit's SecureSocketOptions).</summary>
    public string Security { get; init; } = "Auto";

    public string? User { get; init; }

    public string? Password { get; init; }

    public string From { get; init; } = string.Empty;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Attempts per delivery and the exponential back-off between them (doubling, with jitter, capped).</summary>
public sealed class RetryOptions
{
    public int Attempts { get; init; } = 6;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);
}
