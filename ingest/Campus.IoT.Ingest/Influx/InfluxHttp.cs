using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Campus.IoT.Ingest.Influx;

/// <summary>The HTTP plumbing both stores share: one pooled client per store, and the server's error text on a refusal.</summary>
internal static class InfluxHttp
{
    /// <summary>A client for one server: base address with a trailing slash, the configured timeout, gzip responses accepted.</summary>
    public static HttpClient CreateClient(InfluxOptions options, AuthenticationHeaderValue? authorization)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = options.BaseAddress(),
            Timeout = options.Timeout,
        };
        client.DefaultRequestHeaders.Authorization = authorization;
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Campus.IoT", "1.0"));
        return client;
    }

    /// <summary>HTTP basic authentication from a user name and password, or null when no user is configured.</summary>
    public static AuthenticationHeaderValue? Basic(string? username, string? password) =>
        string.IsNullOrEmpty(username)
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>Sends a request, turning an unreachable server or a timeout into an <see cref="InfluxException"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxException($"{what}: InfluxDB at {client.BaseAddress} is unreachable: {ex.Message}", ex.StatusCode, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InfluxException($"{what}: InfluxDB at {client.BaseAddress} did not answer within {client.Timeout.TotalSeconds:0.#} s", null, ex);
        }
    }

    /// <summary>Throws with the server's own error text when the response is not 2xx.</summary>
    public static async Task ThrowIfRefusedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var text = ErrorText(body)
            ?? (response.Headers.TryGetValues("X-Influxdb-Error", out var header) ? string.Join(" ", header) : null)
            ?? (body.Length > 0 ? Truncate(body) : response.ReasonPhrase ?? "no error text");
        throw new InfluxException($"{what}: InfluxDB refused with {(int)response.StatusCode} {response.StatusCode}: {text}", response.StatusCode);
    }

    /// <summary>The <c>error</c> (InfluxDB 1.x) or <c>message</c> (2.x/3.x) member of a JSON error body.</summary>
    internal static string? ErrorText(string body)
    {
        if (body.Length == 0 || body[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in (ReadOnlySpan<string>)["error", "message"])
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the caller falls back to the raw text.
        }

        return null;
    }

    private static string Truncate(string text) => text.Length <= 500 ? text.Trim() : text[..500].Trim() + "…";
}
