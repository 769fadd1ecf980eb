using YamlDotNet.RepresentationModel;

namespace Campus.IoT.Cli.Tests.Deploy;

/// <summary>The resolved compose file <c>docker-compose config</c> prints (anchors merged, variables substituted), parsed.</summary>
internal sealed class ComposeConfig
{
    private readonly YamlMappingNode _services;

    public ComposeConfig(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        _services = (YamlMappingNode)root.Children[new YamlScalarNode("services")];
    }

    public IReadOnlyList<string> ServiceNames => [.. _services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal)];

    public YamlMappingNode Service(string name) => (YamlMappingNode)_services.Children[new YamlScalarNode(name)];

    /// <summary>A service's key, or null when it does not have it.</summary>
    public YamlNode? Get(string service, string key) =>
        Service(service).Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public string? Scalar(string service, string key) => (Get(service, key) as YamlScalarNode)?.Value;

    /// <summary>A service's environment (a mapping in <c>docker-compose config</c>'s output).</summary>
    public IReadOnlyDictionary<string, string> Environment(string service) =>
        Get(service, "environment") is YamlMappingNode environment
            ? environment.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A service's volumes as written in the output (<c>source:target:mode</c>).</summary>
    public IReadOnlyList<string> Volumes(string service) =>
        Get(service, "volumes") is YamlSequenceNode volumes ? [.. volumes.Children.Select(v => ((YamlScalarNode)v).Value!)] : [];

    /// <summary>The services this one waits for, with the condition of each.</summary>
    public IReadOnlyDictionary<string, string> DependsOn(string service) =>
        Get(service, "depends_on") is YamlMappingNode dependsOn
            ? dependsOn.Children.ToDictionary(
                d => ((YamlScalarNode)d.Key).Value!,
                d => ((YamlScalarNode)((YamlMappingNode)d.Value).Children[new YamlScalarNode("condition")]).Value!,
                StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
