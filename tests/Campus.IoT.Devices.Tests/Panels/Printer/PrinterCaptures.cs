using System.Text;
using Campus.IoT.Devices.Panels;
using Campus.IoT.Devices.Panels.Printer;
using Microsoft.Extensions.Time.Testing;

namespace Campus.IoT.Devices.Tests.Panels.Printer;

/// <summary>Public printer-port captures and examples the printer parsers are tested against, each with its source.</summary>
internal static class PrinterCaptures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// Edwards iO1000 serial printer output, verbatim from the README of jsedintel/FACP-serial-reader-to-Thingsboard
    /// (README.md, "Eventos"), a gateway reading the panel through an SA-232 card. Each event: header, label, two blank
    /// lines. Line ends are not visible in the README; CRLF is used here (LF and CR are tested as equivalent).
    /// </summary>
    public const string Io1000Readme =
        "PULL ACT | 12:06:56 10/20/2023 L:1 D:126\r\nSala de pruebas\r\n\r\n\r\n" +
        "PROB ACT | 12:07:13 10/20/2023     E:045\r\nSilencio Senales\r\n\r\n\r\n" +
        "MON ACT  | 12:07:13 10/20/2023     E:042\r\nReinicio\r\n\r\n\r\n" +
        "PULL RST | 12:07:35 10/20/2023 L:1 D:126\r\nSala de pruebas\r\n\r\n\r\n" +
        "PROB RST | 12:07:35 10/20/2023     E:045\r\nSilencio Senales\r\n\r\n\r\n" +
        "MON RST  | 12:07:35 10/20/2023     E:042\r\nReinicio\r\n";

    /// <summary>
    /// "Event printout examples" of the Kidde VS1/VS4 Technical Reference Manual (P/N 3102351-EN rev 005, chapter 3,
    /// p. 141, https://www.easymanua.ls/kidde/vs1/manual?p=151) and of the FX-64 manual (P/N 3102352-EN, p. 135,
    /// https://www.easymanua.ls/kidde/fx-64/manual?p=145) — the same printer format as the EST iO64/iO1000.
    /// </summary>
    public const string KiddeManualExamples =
        "TRBL ACT | 18:00:07 01/01/2007 A:008\r\nAnnunciator 08\r\n\r\n" +
        "MON ACT  | 18:00:18 01/01/2007     E:010\r\nLoop 2 Initializing\r\n\r\n" +
        "ALRM ACT | 18:00:34 01/01/2007     Z:008\r\nZone 08\r\n\r\n" +
        "ALRM ACT | 18:00:34 01/01/2007 L:1 D:124\r\nLoop 1 Device 124\r\n\r\n";

    /// <summary>
    /// GST9000 printer port capture, hex as published on "海湾GST9000柜式报警主机通讯协议" (http://vgte.net/zjwx/230.html,
    /// mirrored at http://www.bingoex.cn/news/119.html): 004-004 首次火警 感烟探测器, 006-007 火警后续 感烟探测器, 系统复位.
    /// The page marks 1B 36 as the record start; bytes 21–23 are the loop, 25–27 the device, 35–38 火警, 28–31 of the
    /// reset record 复位 — which fixes ESC 6 and ESC 9 as two-byte sequences without a parameter.
    /// </summary>
    public static readonly byte[] Gst9000 = Convert.FromHexString(
        "1B3630382F31322F30322020" + "31373A32340A" + "2020303034" + "2D3030340A" + "1B39CAD7B4CEBBF0BEAF0A" +
        "C8B9C2A5D2BBB2E3C9CFBFD50A" + "B8D0D1CCCCBDB2E2C6F70A0A" +
        "1B3630382F31322F30322020" + "31373A32310A" + "2020303036" + "2D3030370A" + "1B39BBF0BEAFBAF3D0F80A" +
        "D6D0D1CCC1F9B2E3BCC6BBAEB2BF0A" + "B8D0D1CCCCBDB2E2C6F70A0A" +
        "1B3630382F31322F30322020" + "31373A32350A" + "20200A" + "1B39CFB5CDB3B8B4CEBB0A0A");

    /// <summary>
    /// A Notifier NFS line of a Spanish-language install, from edintel/FACP-RCP (fix_hybrid_parser.py, the formats its
    /// gateway accepts): keyword ACTIVA, type SLENC.REMOTO, label SILENCIO PANEL, time 07:58A, date 102325, address 1M002.
    /// The same project (jsedintel/FACP-serial-reader-to-Thingsboard, classes/specific_serial_handler.py) documents the
    /// trailer as <c>HH:MMA MMDDYY</c> followed by a third token (its example: <c>02:49P 010726 Mie</c>).
    /// </summary>
    public const string NotifierSpanishSilence = "ACTIVA SLENC.REMOTO SILENCIO PANEL    07:58A 102325 1M002";

    public static PanelContext Context() => new("panel-main", new FakeTimeProvider(Now));

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] Gb(string text) => PrinterText.StrictGb18030.GetBytes(text);
}
