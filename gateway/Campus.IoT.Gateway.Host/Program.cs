using Campus.IoT.Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// campus-gateway [--config /etc/campus-gateway/gateway.json] [--Gateway:Broker=mqtt://…]
// Settings: the config file, then CAMPUS_-prefixed environment variables, then the command line.
var configFile = new ConfigurationBuilder().AddCommandLine(args).Build()["config"] ?? "gateway.json";
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.Sources.Clear();
builder.Configuration
    .AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false)
    .AddEnvironmentVariables("CAMPUS_")
    .AddCommandLine(args);
builder.Services.AddSystemd();
builder.Services.AddCampusGateway(builder.Configuration);
await builder.Build().RunAsync();
