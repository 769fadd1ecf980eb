using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Campus.IoT.Alerting.Notifications;

/// <summary>
/// Email over SMTP with MailKit: one connection per message (alarms are rare; a pooled connection would have to survive
/// idle timeouts). The subject and body are Chinese first, English second (<see cref="NotificationText"/>). A mailbox the
/// server refuses (5xx) is permanent; connection and 4xx failures are retried.
/// </summary>
public sealed class EmailChannel(NotifyOptions options) : INotificationChannel
{
    public string Name => "email";

    public async Task SendAsync(Notification notification, string address, CancellationToken cancellationToken)
    {
        var smtp = options.Smtp ?? throw new PermanentDeliveryException("Campus:Notify:Smtp is not configured");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = NotificationText.Subject(notification);
        message.Headers.Add("X-Campus-Notification", notification.Id);
        message.Headers.Add("X-Campus-Alarm", notification.Alarm.Id);
        message.Body = new TextPart("plain") { Text = NotificationText.Body(notification) };
        await SendAsync(smtp, message, cancellationToken);
    }

    /// <summary>A message that is not an alarm: its subject and body as they are, <c>X-Campus-Notification</c> its id.</summary>
    public async Task SendMessageAsync(NotificationMessage message, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = options.Smtp ?? throw new PermanentDeliveryException("Campus:Notify:Smtp is not configured");
        using var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        mail.To.Add(MailboxAddress.Parse(address));
        mail.Subject = message.Subject;
        mail.Headers.Add("X-Campus-Notification", message.Id);
        mail.Body = new TextPart("plain") { Text = message.Body };
        await SendAsync(smtp, mail, cancellationToken);
    }

    private static async Task SendAsync(SmtpOptions smtp, MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = Enum.TryParse<SecureSocketOptions>(smtp.Security, ignoreCase: true, out var parsed) ? parsed : SecureSocketOptions.Auto;
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.User))
            {
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"SMTP {(int)ex.StatusCode} {ex.Message}", ex);
        }
        catch (AuthenticationException ex)
        {
            throw new PermanentDeliveryException($"SMTP authentication failed: {ex.Message}", ex);
        }
    }
}
