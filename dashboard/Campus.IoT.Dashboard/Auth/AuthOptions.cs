namespace Campus.IoT.Dashboard.Auth;

/// <summary><c>Campus:Auth</c>.</summary>
internal sealed class AuthOptions
{
    /// <summary>
    /// A role anonymous visitors get (only <c>guard</c> is allowed), for the demo and for a guard-room kiosk in a locked room;
    /// empty (the default) means everyone signs in. <c>--demo</c> sets it to <c>guard</c> unless it is configured.
    /// </summary>
    public string? Anonymous { get; set; }

    /// <summary>The sites an anonymous visitor sees: comma-separated, or <c>*</c> (the default).</summary>
    public string AnonymousSites { get; set; } = "*";

    /// <summary>
    /// The users file (SQLite); empty: <c>auth.db</c> in <c>Campus:DataDir</c>. Nodes on one machine, or on one shared
    /// volume, point this at the same file to share their users (SQLite's WAL mode serialises several processes on one host).
    /// </summary>
    public string? Database { get; set; }

    /// <summary>How long a sign-in lasts without activity (sliding).</summary>
    public TimeSpan Session { get; set; } = TimeSpan.FromHours(12);
}
