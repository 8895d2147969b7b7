using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Supervisor.Options;

namespace Supervisor.Cli.Config;

/// <summary>
/// <c>ws-supervisor config KIND [flags] [COMMAND ARGS...]</c>: flags as the server takes
/// them (<c>--name=value</c> or <c>--name value</c>), then the app command verbatim. Each
/// kind accepts only the flags that change its output, so a flag that would be silently
/// ignored is a usage error instead. Every mistake is one <see cref="UsageException"/> line.
/// </summary>
public static partial class ConfigParser
{
    public const string DefaultPublicPath = "/ws/";
    public const string DefaultCert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    public const string DefaultKey = "/etc/ssl/private/ssl-cert-snakeoil.key";
    public const string SystemdRunDir = "/run/ws-supervisor";

    private static readonly string[] CommonFlags =
        ["port", "address", "ping-interval", "trusted-proxy", "dir", "run-dir", "bus-group", "maxforks", "origin", "binary"];

    private static readonly string[] ProxyFlags =
        ["public-path", "location", "server-name", "proxy-port", "tls", "tls-port", "cert", "key", "proxy-timeout"];

    private static readonly string[] BooleanFlags = ["tls", "htaccess", "help"];

    public static ConfigKind ParseKind(string text) => text switch
    {
        "apache" => ConfigKind.Apache,
        "nginx" => ConfigKind.Nginx,
        "systemd" => ConfigKind.Systemd,
        _ => throw new UsageException($"unknown kind \"{text}\": expected apache, nginx or systemd"),
    };

    public static ConfigRequest Parse(ConfigKind kind, IReadOnlyList<string> args, string? defaultDemoDir)
    {
        var allowed = new HashSet<string>(CommonFlags);
        if (kind is ConfigKind.Apache or ConfigKind.Nginx)
            allowed.UnionWith(ProxyFlags);
        if (kind is ConfigKind.Apache)
            allowed.Add("htaccess");
        if (kind is ConfigKind.Systemd)
            allowed.UnionWith(["user", "group", "shutdown-timeout"]);

        var values = new Dictionary<string, string>();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                break;
            var (name, given) = FlagWords.Split(arg[2..]);
            if (name == "location")
                name = "public-path"; // nginx's word for the same thing
            if (!allowed.Contains(name))
                throw new UsageException(NotTaken(kind, name));
            string value;
            if (given is not null)
                value = given;
            else if (BooleanFlags.Contains(name))
                value = "true";
            else if (FlagWords.NextIsValue(args, i))
                value = args[++i];
            else
                throw new UsageException($"--{name} needs {ValueName(name)} (--{name}={ValueName(name)})");
            if (value.Length == 0)
                throw new UsageException($"--{name}= is empty: give {ValueName(name)}");
            if (!values.TryAdd(name, value))
                throw new UsageException($"--{name} given more than once");
        }
        var command = args.Skip(i).ToList();

        var backend = ParseBackend(kind, values, command, defaultDemoDir);
        var proxy = ParseProxy(values, backend.PingSeconds);
        var service = new ServiceSpec(
            Get(values, "user") is { } user ? CheckName("user", user) : DefaultUser(),
            Get(values, "group") is { } group ? CheckName("group", group) : null,
            Int(values, "shutdown-timeout", 5, 0, 3600));
        return new ConfigRequest(kind, backend, proxy, service);
    }

    public static string Name(ConfigKind kind) => kind.ToString().ToLowerInvariant();

    private static BackendSpec ParseBackend(ConfigKind kind, Dictionary<string, string> values, List<string> command,
        string? defaultDemoDir)
    {
        string binary = Get(values, "binary") ?? Environment.ProcessPath
            ?? throw new UsageException("cannot tell this program's own path: give --binary=PATH");
        binary = Path.GetFullPath(binary);
        CheckText("binary", binary);

        string address = Get(values, "address") ?? "127.0.0.1";
        string bare = address.StartsWith('[') && address.EndsWith(']') ? address[1..^1] : address;
        if (!IPAddress.TryParse(bare, out var ip))
            throw new UsageException($"--address={address}: not an IP address (the proxy connects to it: use 127.0.0.1)");

        string? dir = Get(values, "dir");
        if (dir is not null && command.Count > 0)
            throw new UsageException("give either --dir=DIR or a COMMAND, not both");
        if (dir is null && command.Count == 0)
            dir = defaultDemoDir ?? throw new UsageException("nothing to serve: give a COMMAND or --dir=DIR");
        if (dir is not null)
            dir = CheckText("dir", Path.GetFullPath(dir));
        if (command.Count > 0 && command[0].Contains('/'))
            command[0] = Path.GetFullPath(command[0]);
        foreach (string word in command)
            CheckText("COMMAND", word);

        string? runDir = Get(values, "run-dir") is { } r ? CheckText("run-dir", Path.GetFullPath(r)) : null;
        if (kind == ConfigKind.Systemd)
        {
            // RuntimeDirectory= makes /run/NAME (and keeps it across restarts), nothing else.
            runDir ??= SystemdRunDir;
            if (!RunDirName().IsMatch(runDir))
                throw new UsageException($"--run-dir={runDir}: the unit's run folder is made by RuntimeDirectory=, so it must be /run/NAME");
        }

        return new BackendSpec(
            binary,
            ip.ToString(),
            Int(values, "port", OptionsParser.DefaultPort, 1, 65535),
            Int(values, "ping-interval", 30, 0, 86_400),
            ParseTrustedProxies(Get(values, "trusted-proxy"), ip),
            runDir,
            Get(values, "bus-group") is { } g ? CheckName("bus-group", g) : null,
            Int(values, "maxforks", 0, 0, 1_000_000),
            dir,
            command)
        {
            Origins = Get(values, "origin") is { } origin ? CheckOrigins(origin) : null,
        };
    }

    private static ProxySpec ParseProxy(Dictionary<string, string> values, int pingSeconds)
    {
        string path = Get(values, "public-path") ?? DefaultPublicPath;
        if (!PublicPathText().IsMatch(path))
            throw new UsageException($"--public-path={path}: expected a path such as /ws/ (letters, digits and . _ ~ - / only)");
        if (!path.EndsWith('/'))
            path += "/";

        // The proxy cuts a tunnel that carried nothing either way for its timeout. Our pings
        // are the traffic that keeps a quiet one alive, so the timeout must outlast a ping
        // interval with room for a late one: 3 intervals, and never below the 60 s that both
        // Apache's and nginx's own defaults give.
        int defaultTimeout = pingSeconds > 0 ? Math.Max(60, 3 * pingSeconds) : 3600;
        int timeout = Int(values, "proxy-timeout", defaultTimeout, 1, 86_400);
        if (pingSeconds > 0 && timeout <= pingSeconds)
            throw new UsageException(
                $"--proxy-timeout={timeout} must be longer than --ping-interval={pingSeconds}, or the proxy cuts quiet connections between two pings");

        bool tlsWanted = Bool(values, "tls");
        if (Get(values, "tls") is not null && !tlsWanted && Get(values, "tls-port") is not null)
            throw new UsageException("--tls=false contradicts --tls-port");
        ListenSpec? tls = Get(values, "tls-port") is { } tlsPort ? ParseListen("tls-port", tlsPort)
            : tlsWanted ? new ListenSpec(null, 443) : null;
        return new ProxySpec(
            path,
            Get(values, "server-name") is { } name ? CheckServerName(name) : null,
            Get(values, "proxy-port") is { } port ? ParseListen("proxy-port", port) : new ListenSpec(null, 80),
            tls,
            CheckText("cert", Path.GetFullPath(Get(values, "cert") ?? DefaultCert)),
            CheckText("key", Path.GetFullPath(Get(values, "key") ?? DefaultKey)),
            timeout,
            Bool(values, "htaccess"));
    }

    /// <summary>The proxy connects from loopback when ws-supervisor listens there, so that is
    /// the one address to believe; for any other listening address only the operator knows
    /// where the proxy is.</summary>
    private static IReadOnlyList<string> ParseTrustedProxies(string? text, IPAddress backend)
    {
        if (text is "none" or "off")
            return [];
        if (text is not null)
        {
            var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string item in list)
            {
                if (!CidrText().IsMatch(item))
                    throw new UsageException($"--trusted-proxy={text}: \"{item}\" is not an address or CIDR block");
            }
            return list;
        }
        if (IPAddress.IsLoopback(backend))
            return [backend.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "::1" : "127.0.0.1"];
        throw new UsageException(
            $"--address={backend} is not loopback: give --trusted-proxy=ADDRESS of the proxy (or --trusted-proxy=none)");
    }

    private static ListenSpec ParseListen(string flag, string text)
    {
        string? address = null;
        string port = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            address = text[..colon];
            port = text[(colon + 1)..];
            if (address.StartsWith('[') && address.EndsWith(']'))
                address = address[1..^1];
            if (!IPAddress.TryParse(address, out var ip))
                throw new UsageException($"--{flag}={text}: expected PORT or ADDRESS:PORT");
            address = ip.ToString();
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            throw new UsageException($"--{flag}={text}: expected PORT or ADDRESS:PORT with a port from 1 to 65535");
        return new ListenSpec(address, number);
    }

    /// <summary>Debian's web server user, so the site's PHP and the apps share the bus without
    /// more flags; nobody where there is no www-data.</summary>
    private static string DefaultUser()
    {
        try
        {
            return File.ReadLines("/etc/passwd").Any(l => l.StartsWith("www-data:", StringComparison.Ordinal)) ? "www-data" : "nobody";
        }
        catch (IOException)
        {
            return "nobody";
        }
    }

    private static string? Get(Dictionary<string, string> values, string name) => values.GetValueOrDefault(name);

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (Get(values, name) is not { } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new UsageException($"--{name}={text}: expected a whole number from {min} to {max}");
        return value;
    }

    private static string CheckName(string flag, string text) =>
        NameText().IsMatch(text) ? text : throw new UsageException($"--{flag}={text}: not a user or group name");

    private static string CheckServerName(string text) =>
        ServerNameText().IsMatch(text) ? text : throw new UsageException($"--server-name={text}: not a host name");

    /// <summary>Every value ends up inside a config file's quotes: none may carry a quote,
    /// a backslash or a line break out of them.</summary>
    private static string CheckText(string flag, string text) =>
        text.Length > 0 && !text.Any(c => c is '"' or '\\' or '\'' or '`' || char.IsControl(c))
            ? text
            : throw new UsageException($"--{flag}={text}: quotes, backslashes and control characters are not supported here");

    [GeneratedRegex(@"^/[A-Za-z0-9._~/-]*$")]
    private static partial Regex PublicPathText();

    [GeneratedRegex(@"^[A-Za-z0-9*_][A-Za-z0-9._*-]*$")]
    private static partial Regex ServerNameText();

    [GeneratedRegex(@"^[a-z_][a-z0-9_.-]*\$?$", RegexOptions.IgnoreCase)]
    private static partial Regex NameText();

    [GeneratedRegex(@"^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$")]
    private static partial Regex CidrText();

    [GeneratedRegex(@"^/run/[A-Za-z0-9._-]+$")]
    private static partial Regex RunDirName();
}
