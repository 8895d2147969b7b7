using System.Globalization;
using System.Text;

namespace Supervisor.Cli.Config;

/// <summary>Wording the proxy configs share: comments wrapped to width, the ping and trust notes, the public URLs.</summary>
public static class ConfigText
{
    /// <summary>A comment of any length as "# " lines under 100 columns, continuations indented.</summary>
    public static void Comment(StringBuilder text, string indent, string comment)
    {
        const int Width = 96;
        var line = new StringBuilder(indent + "#");
        bool first = true;
        foreach (string word in comment.Split(' '))
        {
            if (line.Length + 1 + word.Length > Width && !first)
            {
                text.AppendLine(line.ToString());
                line.Clear().Append(indent).Append("#  ");
            }
            line.Append(' ').Append(word);
            first = false;
        }
        text.AppendLine(line.ToString());
    }

    public static string PingNote(BackendSpec backend, ProxySpec proxy) =>
        backend.PingSeconds > 0
            ? $"ws-supervisor pings every {backend.PingSeconds} s (--ping-interval), so only dead connections go that quiet."
            : "ws-supervisor's pings are off (--ping-interval=0): a client that is quiet that long is cut.";

    public static string TrustedList(BackendSpec backend) =>
        backend.TrustedProxies.Count > 0 ? string.Join(", ", backend.TrustedProxies) : "nowhere (no --trusted-proxy: it will see the proxy's address)";

    public static string Urls(ProxySpec proxy)
    {
        string host = proxy.ServerName ?? "HOST";
        string url = $"ws://{host}{Port(proxy.Http, 80)}{proxy.PublicPath}APP";
        return proxy.Tls is { } tls ? $"{url} and wss://{host}{Port(tls, 443)}{proxy.PublicPath}APP" : url;
    }

    private static string Port(ListenSpec listen, int standard) =>
        listen.Port == standard ? "" : ":" + listen.Port.ToString(CultureInfo.InvariantCulture);
}
