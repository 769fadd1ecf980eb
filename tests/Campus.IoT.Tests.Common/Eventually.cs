namespace Campus.IoT.Tests.Common;

/// <summary>
/// Waits on real I/O by polling a condition until a deadline. The deadline is a generous bound for a loaded CI machine,
/// never an assertion about speed: performance is measured in bench/, not here.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> Get<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        Exception? last = null;
        while (!cts.IsCancellationRequested)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(25, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"timed out waiting for {what}" + (last is null ? string.Empty : $"; last error: {last.Message}"), last);
    }

    public static Task True(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        Get<object>(async () => await probe() ? new object() : null, what, timeout);

    public static Task True(Func<bool> probe, string what, TimeSpan? timeout = null) =>
        True(() => Task.FromResult(probe()), what, timeout);
}
