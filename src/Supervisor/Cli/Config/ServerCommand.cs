using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Supervisor.Cli.Config;

/// <summary>The ws-supervisor command line that matches a generated proxy config or unit:
/// the same port, the proxy as --trusted-proxy, the same ping interval the proxy's timeout
/// was sized for. One list of words, quoted for a shell or for systemd's ExecStart=.</summary>
public static partial class ServerCommand
{
    public static IReadOnlyList<string> Words(BackendSpec backend, int shutdownTimeoutSeconds = 5)
    {
        var words = new List<string> { backend.Executable, $"--port={backend.Port.ToString(CultureInfo.InvariantCulture)}" };
        if (backend.Address != "127.0.0.1")
            words.Add($"--address={backend.Address}");
        if (backend.TrustedProxies.Count > 0)
            words.Add($"--trusted-proxy={string.Join(',', backend.TrustedProxies)}");
        words.Add($"--ping-interval={backend.PingSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (backend.MaxForks > 0)
            words.Add($"--maxforks={backend.MaxForks.ToString(CultureInfo.InvariantCulture)}");
        if (shutdownTimeoutSeconds != 5)
            words.Add($"--shutdown-timeout={shutdownTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (backend.RunDir is not null)
            words.Add($"--run-dir={backend.RunDir}");
        if (backend.BusGroup is not null)
            words.Add($"--bus-group={backend.BusGroup}");
        if (backend.BinaryMode)
            words.Add("--binary");
        if (backend.Origins is not null)
            words.Add($"--origin={backend.Origins}");
        if (backend.Dir is not null)
            words.Add($"--dir={backend.Dir}");
        else
            words.AddRange(backend.Command);
        return words;
    }

    /// <summary>For a shell: words of safe characters as they are, anything else in single quotes.</summary>
    public static string ForShell(IEnumerable<string> words) =>
        string.Join(' ', words.Select(w => ShellSafe().IsMatch(w) ? w : "'" + w.Replace("'", "'\\''") + "'"));

    /// <summary>For ExecStart=: systemd splits on spaces and honours double quotes, and expands
    /// % specifiers and $VARIABLES, so those are doubled to stay literal.</summary>
    public static string ForSystemd(IEnumerable<string> words)
    {
        var line = new StringBuilder();
        foreach (string word in words)
        {
            if (line.Length > 0)
                line.Append(' ');
            string escaped = word.Replace("%", "%%").Replace("$", "$$");
            line.Append(ShellSafe().IsMatch(word) ? escaped : "\"" + escaped + "\"");
        }
        return line.ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex ShellSafe();
}
