namespace Campus.IoT.Dashboard.Tests;

/// <summary>A test class with its own running platform (embedded broker) for each test.</summary>
public abstract class PlatformTest : IAsyncLifetime
{
    internal RunningPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await RunningPlatform.StartAsync();

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
