namespace Campus.IoT.Cli.Provisioning;

/// <summary>A provisioning step that cannot go ahead; the message is written for the operator.</summary>
internal sealed class ProvisioningException : Exception
{
    public ProvisioningException()
    {
    }

    public ProvisioningException(string message)
        : base(message)
    {
    }

    public ProvisioningException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
