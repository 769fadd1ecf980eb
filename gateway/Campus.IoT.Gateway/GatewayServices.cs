using Campus.IoT.Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Campus.IoT.Gateway;

/// <summary>The gateway's wiring, used by the <c>campus-gateway</c> host and by tests.</summary>
public static class GatewayServices
{
    public static IServiceCollection AddCampusGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // The board's GPIO (a Raspberry Pi); tests put a simulated driver here.
        services.TryAddSingleton<Func<System.Device.Gpio.GpioController>>(_ => () => new System.Device.Gpio.GpioController());
        services.TryAddSingleton<Func<int, int, System.Device.Spi.SpiDevice>>(_ => (bus, chipSelect) => System.Device.Spi.SpiDevice.Create(new System.Device.Spi.SpiConnectionSettings(bus, chipSelect) { ClockFrequency = 1_000_000 }));
        services.TryAddSingleton<Func<int, int, System.Device.I2c.I2cDevice>>(_ => (bus, address) => System.Device.I2c.I2cDevice.Create(new System.Device.I2c.I2cConnectionSettings(bus, address)));
        services.AddHostedService<GatewayWorker>();
        return services;
    }
}
