using Campus.IoT.Devices.Panels.ContactId;
using Campus.IoT.Devices.Panels.Gbt26875;
using Campus.IoT.Devices.Panels.Printer;
using Campus.IoT.Devices.Panels.SiaDc09;

namespace Campus.IoT.Devices.Panels;

/// <summary>Every panel protocol by its <c>--format</c> / config name.</summary>
public static class PanelParsers
{
    private static readonly Dictionary<string, Func<PanelContext, IPanelParser>> Factories = new(StringComparer.Ordinal)
    {
        ["est"] = c => new EstPrinterParser(c),
        ["notifier"] = c => new NotifierPrinterParser(c),
        ["gst"] = c => new GstPrinterParser(c),
        ["contact-id"] = c => new ContactIdParser(c),
        ["sia-dc09"] = c => new SiaDc09Parser(c),
        ["gbt26875"] = c => new Gbt26875Parser(c),
    };

    public static IReadOnlySet<string> Formats { get; } = new SortedSet<string>(Factories.Keys, StringComparer.Ordinal);

    public static bool TryCreate(string format, PanelContext context, out IPanelParser parser)
    {
        if (Factories.TryGetValue(format, out var create))
        {
            parser = create(context);
            return true;
        }

        parser = null!;
        return false;
    }
}
