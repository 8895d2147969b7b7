using Supervisor.Options;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Cli.Config;

/// <summary>What a flag's value must be, and why a flag is refused: the messages of
/// <see cref="ConfigParser"/>'s mistakes.</summary>
public static partial class ConfigParser
{
    /// <summary>Why a flag is refused: it belongs to another kind, it is a server flag the
    /// generated command line does not carry (said, with what to do), or nobody takes it.</summary>
    private static string NotTaken(ConfigKind kind, string name)
    {
        if (CommonFlags.Concat(ProxyFlags).Concat(["htaccess", "user", "group", "shutdown-timeout"]).Contains(name))
            return $"--{name} does not apply to 'config {Name(kind)}' (see ws-supervisor config --help)";
        if (OptionsParser.IsServerFlag(name))
        {
            // --shutdown-timeout rides on the systemd unit's command line only.
            var flags = CommonFlags.Where(f => f != "binary");
            if (kind == ConfigKind.Systemd)
                flags = flags.Append("shutdown-timeout");
            string carried = string.Join(", ", flags.Select(f => "--" + f));
            string where = kind == ConfigKind.Systemd ? "the unit's ExecStart= (systemctl edit ws-supervisor)" : "the ws-supervisor command line it prints";
            return $"--{name} is a server option that config does not carry (it carries {carried}): add it to {where} by hand";
        }
        return $"unknown option --{name} (see ws-supervisor config --help)";
    }

    private static string ValueName(string flag) => flag switch
    {
        "binary" or "cert" or "key" => "a PATH",
        "dir" or "run-dir" => "a DIR",
        "tls" or "htaccess" => "true or false",
        _ => "a value",
    };

    /// <summary>A switch alone means true; with a value, true or false (1 or 0) only, so
    /// "--tls=false" never turns TLS on.</summary>
    private static bool Bool(Dictionary<string, string> values, string name) => Get(values, name) switch
    {
        null or "false" or "0" => false,
        "true" or "1" => true,
        var text => throw new UsageException($"--{name}={text}: expected true or false"),
    };

    /// <summary>Checked as the server will check it, so the unit never fails to start on it.</summary>
    private static string CheckOrigins(string text)
    {
        var entries = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
            throw new UsageException($"--origin={text} names no origin: give HOST[:PORT][,...]");
        try
        {
            OriginPolicy.Create(entries, sameOrigin: false);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--origin={e.Message}");
        }
        return CheckText("origin", string.Join(',', entries));
    }
}
