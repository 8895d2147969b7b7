using Supervisor.Options;

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
            var flags = CommonFlags.Where(f => f != "executable");
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
        "executable" or "cert" or "key" => "PATH",
        "dir" or "run-dir" => "DIR",
        "tls" or "htaccess" or "binary" => "true or false",
        _ => "VALUE",
    };

    /// <summary>A switch alone means true; with a value, true or false (1 or 0) only, so
    /// "--tls=false" never turns TLS on.</summary>
    private static bool Bool(Dictionary<string, string> values, string name) => Get(values, name) switch
    {
        null or "false" or "0" => false,
        "true" or "1" => true,
        var text => throw new UsageException(name == "binary"
            ? $"--binary={text}: expected true or false (--binary is the server's binary mode; the ws-supervisor executable is --executable=PATH)"
            : $"--{name}={text}: expected true or false"),
    };

    /// <summary>Where browsers connect: a plain path of named segments. "//" or "/../" would
    /// be a location no browser's normalised URL ever reaches.</summary>
    private static string CheckPublicPath(string path)
    {
        if (!PublicPathText().IsMatch(path))
            throw new UsageException($"--public-path={path}: expected a path such as /ws/ (letters, digits and . _ ~ - / only)");
        string full = path.EndsWith('/') ? path : path + "/";
        if (full != "/" && full[1..^1].Split('/').Any(segment => segment is "" or "." or ".."))
            throw new UsageException($"--public-path={path}: empty, \".\" and \"..\" segments are not allowed (e.g. /ws/ or /app/ws/)");
        return full;
    }

    private static string CheckName(string flag, string text) =>
        NameText().IsMatch(text) ? text : throw new UsageException($"--{flag}={text}: not a user or group name");

    /// <summary>A host name, or a wildcard as both proxies take it: "*." in front only.</summary>
    private static string CheckServerName(string text) =>
        ServerNameText().IsMatch(text) ? text
        : throw new UsageException($"--server-name={text}: not a host name (a wildcard goes in front only, as in *.example.org)");

    /// <summary>Every value ends up inside a config file's quotes: none may carry a quote,
    /// a backslash or a line break out of them.</summary>
    private static string CheckText(string flag, string text) =>
        Quotable(text) ? text : throw new UsageException($"--{flag}={text}: quotes, backslashes and control characters are not supported here");

    private static void CheckCommandWord(string word)
    {
        if (!Quotable(word))
            throw new UsageException($"a COMMAND word may not hold quotes, backslashes or control characters (the printed command line cannot carry them): {word}");
    }

    private static bool Quotable(string text) =>
        text.Length > 0 && !text.Any(c => c is '"' or '\\' or '\'' or '`' || char.IsControl(c));
}
