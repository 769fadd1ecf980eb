using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Campus.IoT.Telemetry;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// A JSON POST to a configured URL, signed like Stripe's and GitHub's webhooks so the receiver can tell it came from us and
/// was not replayed: <c>X-Campus-Timestamp</c> (Unix seconds) and
/// <c>X-Campus-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>; <c>X-Campus-Notification</c> is the same
/// on every retry, for the receiver to drop duplicates. 2xx is delivered; 408, 429 and 5xx are retried; other 4xx are
/// permanent.
/// </summary>
public sealed class WebhookChannel(HttpClient http, NotifyOptions options, TimeProvider time) : INotificationChannel
{
    public string Name => "webhook";

    public async Task SendAsync(Notification notification, string address, CancellationToken cancellationToken)
    {
        if (!options.Webhooks.TryGetValue(address, out var hook))
        {
            throw new PermanentDeliveryException($"no webhook '{address}' is configured");
        }

        await PostAsync(hook, notification.Id, Payload(notification), cancellationToken);
    }

    /// <summary>A message that is not an alarm, signed the same way; its body is <see cref="Payload(NotificationMessage)"/>.</summary>
    public async Task SendMessageAsync(NotificationMessage message, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!options.Webhooks.TryGetValue(address, out var hook))
        {
            throw new PermanentDeliveryException($"no webhook '{address}' is configured");
        }

        await PostAsync(hook, message.Id, Payload(message), cancellationToken);
    }

    private async Task PostAsync(WebhookOptions hook, string id, byte[] body, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Campus-Notification", id);
        request.Headers.Add("X-Campus-Timestamp", timestamp);
        request.Headers.Add("X-Campus-Signature", "v1=" + Sign(hook.Secret, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(hook.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer from {hook.Url} within {hook.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var reason = $"HTTP {status} {response.ReasonPhrase} from {hook.Url}";
            throw status is 408 or 429 || status >= 500 ? new HttpRequestException(reason, null, response.StatusCode) : new PermanentDeliveryException(reason);
        }
    }

    /// <summary>hex(HMAC-SHA256(secret, timestamp + "." + body)), lower case: what a receiver recomputes to verify.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>The JSON body (docs/rules.md, "Notifications").</summary>
    public static byte[] Payload(Notification n)
    {
        var a = n.Alarm;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("notification", n.Id);
            json.WriteString("transition", n.Transition.Kind.ToWire());
            json.WriteNumber("level", n.Level);
            json.WriteString("recipient", n.Recipient);
            json.WriteString("at", Timestamps.Format(n.Transition.At));
            json.WriteString("title", NotificationText.Subject(n));
            json.WriteString("text", NotificationText.Body(n));
            json.WriteStartObject("alarm");
            json.WriteString("id", a.Id);
            json.WriteString("rule", a.Rule);
            json.WriteString("site", a.Site);
            json.WriteString("gateway", a.Gateway);
            WriteOptional(json, "device", a.Device);
            WriteOptional(json, "point", a.Point);
            WriteOptional(json, "zone", a.Zone);
            WriteOptional(json, "label", a.Label);
            WriteOptional(json, "metric", a.Metric);
            if (a.Value is { } value)
            {
                json.WriteNumber("value", value);
            }

            json.WriteString("severity", a.Severity.ToWire());
            json.WriteString("state", a.State.ToWire());
            json.WriteString("raised_at", Timestamps.Format(a.RaisedAt));
            json.WriteNumber("escalation_level", a.EscalationLevel);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The JSON body of a message that is not an alarm: <c>{"notification","kind","recipient","site","at","title","text"}</c>
    /// (docs/hazards.md, "Reminders").
    /// </summary>
    public static byte[] Payload(NotificationMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("notification", m.Id);
            json.WriteString("kind", m.Kind);
            json.WriteString("recipient", m.Recipient);
            json.WriteString("site", m.Site);
            json.WriteString("at", Timestamps.Format(m.At));
            json.WriteString("title", m.Subject);
            json.WriteString("text", m.Body);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
