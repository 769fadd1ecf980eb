using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Campus.IoT.Tests.Common;

/// <summary>
/// A real webhook receiver on Kestrel (loopback, free port): it verifies each request's HMAC signature with the shared
/// secret itself, the way a receiver would (independently of the platform's signing code), keeps every request, and answers
/// with the given status codes in turn (the last one from then on).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.First() + "/hook";

    public ConcurrentQueue<ReceivedWebhook> Requests { get; } = new();

    public static async Task<WebhookReceiver> StartAsync(string secret, params int[] statuses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var calls = 0;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var timestamp = context.Request.Headers["X-Campus-Timestamp"].ToString();
            var signed = (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
            var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(context.Request.Headers["X-Campus-Signature"].ToString()));
            receiver.Requests.Enqueue(new ReceivedWebhook(context.Request.Headers["X-Campus-Notification"].ToString(), Encoding.UTF8.GetString(body), valid));
            var status = statuses.Length == 0 ? 200 : statuses[Math.Min(Interlocked.Increment(ref calls) - 1, statuses.Length - 1)];
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedWebhook(string NotificationId, string Body, bool SignatureValid);
