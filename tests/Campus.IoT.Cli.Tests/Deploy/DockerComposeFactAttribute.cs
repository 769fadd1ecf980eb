namespace Campus.IoT.Cli.Tests.Deploy;

/// <summary>
/// A test that needs Debian's <c>docker-compose</c> (1.29, which validates a compose file without a Docker engine). Skipped
/// when it is missing on a developer machine; under <c>CI=true</c> it always runs (scripts/test.sh installs docker-compose),
/// so a missing binary there is a failure, not a skip.
/// </summary>
internal sealed class DockerComposeFactAttribute : FactAttribute
{
    public DockerComposeFactAttribute()
    {
        if (DockerCompose.Binary is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "docker-compose is not installed (apt-get install docker-compose; scripts/test.sh installs it under CI=true)";
        }
    }
}
