namespace Supervisor.Handoff;

/// <summary>
/// How an app exchanges messages (docs/modes.md). Chosen per server with --mode, and per
/// app under --dir by a name prefix (<c>exact-echo.sh</c> runs in exact mode).
/// </summary>
public enum AppMode
{
    /// <summary>websocketd's contract: a text message is a line on stdin, a line on stdout a text message.</summary>
    Line,
    /// <summary>websocketd --binary: raw bytes both ways; each stdout read is one binary message.</summary>
    Binary,
    /// <summary>Every message with its type and length (<c>T LEN\n</c>, payload, <c>\n</c>) both ways.</summary>
    Exact,
    /// <summary>The app runs once per message: the message on stdin, its whole stdout the reply.</summary>
    Cgi,
    /// <summary>The app gets the upgraded socket itself at fd 3 and speaks WebSocket; no worker.</summary>
    Socket,
}

public static class AppModes
{
    private static readonly (AppMode Mode, string Name)[] Names =
    [
        (AppMode.Line, "line"), (AppMode.Binary, "binary"), (AppMode.Exact, "exact"),
        (AppMode.Cgi, "cgi"), (AppMode.Socket, "socket"),
    ];

    public static IEnumerable<string> AllNames => Names.Select(n => n.Name);

    public static string Name(AppMode mode) => Names.First(n => n.Mode == mode).Name;

    public static AppMode? Parse(string name)
    {
        foreach (var (mode, modeName) in Names)
        {
            if (modeName == name)
                return mode;
        }
        return null;
    }

    /// <summary>Under --dir, a file named <c>MODE-REST</c> (exact-echo.sh, cgi-time.php,
    /// socket-echo) runs in that mode; any other name runs in the server's --mode.</summary>
    public static AppMode? FromFileNamePrefix(string fileName)
    {
        int dash = fileName.IndexOf('-');
        return dash > 0 && dash < fileName.Length - 1 ? Parse(fileName[..dash]) : null;
    }
}
