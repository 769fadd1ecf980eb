using System.Text;

namespace Campus.IoT.Devices.Panels.Printer;

/// <summary>Decoding and small text tests shared by the printer-port parsers and simulators.</summary>
internal static class PrinterText
{
    /// <summary>GB18030 (code page 54936) that throws on invalid bytes, so corruption is detected rather than decoded.</summary>
    public static readonly Encoding StrictGb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
        ?? throw new InvalidOperationException("GB18030 (code page 54936) is not available.");

    /// <summary>GB18030 that shows invalid bytes as U+FFFD: only for the raw text of error records.</summary>
    public static readonly Encoding LenientGb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback)
        ?? throw new InvalidOperationException("GB18030 (code page 54936) is not available.");

    /// <summary>English panels print 7-bit ASCII; Latin-1 maps every byte, so accented labels of Spanish installs survive.</summary>
    public static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Strict GB18030 decode; false when the bytes are not valid GB18030.</summary>
    public static bool TryGb18030(byte[] bytes, out string text)
    {
        try
        {
            text = StrictGb18030.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>A rule printed between reports or events: three or more of - = * _ ~ # and nothing else.</summary>
    public static bool IsSeparator(string trimmed)
    {
        if (trimmed.Length < 3)
        {
            return false;
        }

        foreach (var c in trimmed)
        {
            if (c is not ('-' or '=' or '*' or '_' or '~' or '#') && !char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }
}
