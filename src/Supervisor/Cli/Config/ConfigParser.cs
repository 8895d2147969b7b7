using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Cli.Config;

/// <summary>
/// <c>ws-supervisor config KIND [flags] [COMMAND ARGS...]</c>: flags as the server takes
/// them (<c>--name=value</c> or <c>--name value</c>, one or two dashes), then the app command
/// verbatim. Each kind accepts only the flags that change its output, so a flag that would
/// be silently ignored is a usage error instead. The ws-supervisor command line it prints is
/// then parsed by the server's own <see cref="OptionsParser"/>, so what the server would
/// refuse is refused here. Every mistake is one <see cref="UsageException"/> line.
/// </summary>
public static partial class ConfigParser
{
    public const string DefaultPublicPath = "/ws/";
    public const string DefaultCert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    public const string DefaultKey = "/etc/ssl/private/ssl-cert-snakeoil.key";
    public const string SystemdRunDir = "/run/ws-supervisor";

    private static readonly string[] CommonFlags =
        ["port", "address", "ping-interval", "trusted-proxy", "dir", "run-dir", "bus-group", "maxforks", "origin", "binary", "executable"];

    private static readonly string[] ProxyFlags =
        ["public-path", "location", "server-name", "proxy-port", "tls", "tls-port", "cert", "key", "proxy-timeout"];

    private static readonly string[] BooleanFlags = ["tls", "htaccess", "binary", "help"];

    /// <summary>What the .htaccess form cannot say: it goes into a site that already has its
    /// host name, ports and certificate.</summary>
    private static readonly string[] NotInHtaccess = ["server-name", "proxy-port", "tls", "tls-port", "cert", "key"];

    public static ConfigKind ParseKind(string text) => text switch
    {
        "apache" => ConfigKind.Apache,
        "nginx" => ConfigKind.Nginx,
        "systemd" => ConfigKind.Systemd,
        _ => throw new UsageException($"unknown kind \"{text}\": expected apache, nginx or systemd"),
    };

    public static ConfigRequest Parse(ConfigKind kind, IReadOnlyList<string> args)
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
            // The server's grammar: "-p 80" is a flag (which it refuses), never the COMMAND.
            if (!arg.StartsWith('-') || arg == "-")
                break;
            var (name, given) = FlagWords.Split(arg.TrimStart('-'));
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
                throw new UsageException($"--{name} needs a value (--{name}={ValueName(name)} or --{name} {ValueName(name)})");
            if (value.Length == 0)
                throw new UsageException($"--{name}= is empty (an unset variable?): give {ValueName(name)}, or leave --{name} out");
            if (!values.TryAdd(name, value))
                throw new UsageException($"--{name} given more than once");
        }
        var command = args.Skip(i).ToList();

        var backend = ParseBackend(kind, values, command);
        var proxy = ParseProxy(values, backend);
        var service = new ServiceSpec(
            Get(values, "user") is { } user ? CheckName("user", user) : DefaultUser(),
            Get(values, "group") is { } group ? CheckName("group", group) : null,
            Int(values, "shutdown-timeout", 5, 0, 3600));
        CheckAsTheServer(backend, service);
        return new ConfigRequest(kind, backend, proxy, service);
    }

    /// <summary>The printed command line, parsed by the server's own parser (trusted proxies,
    /// the control socket's length, --dir, the COMMAND, --origin, --bus-group, ...), so the
    /// unit or the command never fails to start on what config let through.</summary>
    private static void CheckAsTheServer(BackendSpec backend, ServiceSpec service) =>
        OptionsParser.Parse(ServerCommand.Words(backend, service.ShutdownTimeoutSeconds).Skip(1).ToList(), defaultDemoDir: null);

    public static string Name(ConfigKind kind) => kind.ToString().ToLowerInvariant();

    private static BackendSpec ParseBackend(ConfigKind kind, Dictionary<string, string> values, List<string> command)
    {
        string executable = Get(values, "executable") ?? Environment.ProcessPath
            ?? throw new UsageException("cannot tell this program's own path: give --executable=PATH");
        executable = CheckText("executable", Path.GetFullPath(executable));
        if (Executable.AccessError(executable) is { } notRunnable)
            throw new UsageException($"--executable={executable}: {notRunnable.Description} (the ws-supervisor executable the command line starts)");

        string address = Get(values, "address") ?? "127.0.0.1";
        string bare = address.StartsWith('[') && address.EndsWith(']') ? address[1..^1] : address;
        if (!IPAddress.TryParse(bare, out var ip))
            throw new UsageException($"--address={address}: not an IP address (the proxy connects to it: use 127.0.0.1)");

        string? dir = Get(values, "dir");
        if (dir is not null && command.Count > 0)
            throw new UsageException("give either --dir=DIR or a COMMAND, not both");
        if (dir is null && command.Count == 0)
        {
            // The demo installed beside the executable, never ./worker-scripts: a unit must
            // not depend on the folder config happened to run in.
            dir = DemoDirectory.InstalledBeside(executable) ?? throw new UsageException(
                $"nothing to serve: give a COMMAND or --dir=DIR (no demo installed beside {executable})");
        }
        if (dir is not null)
            dir = CheckText("dir", Path.GetFullPath(dir));
        if (command.Count > 0 && command[0].Contains('/'))
            command[0] = Path.GetFullPath(command[0]);
        foreach (string word in command)
            CheckCommandWord(word);

        string? runDir = Get(values, "run-dir") is { } r ? CheckText("run-dir", Path.GetFullPath(r)) : null;
        if (kind == ConfigKind.Systemd)
        {
            // RuntimeDirectory= makes /run/NAME (and keeps it across restarts), nothing else.
            runDir ??= SystemdRunDir;
            if (!RunDirName().IsMatch(runDir))
                throw new UsageException($"--run-dir={runDir}: the unit's run folder is made by RuntimeDirectory=, so it must be /run/NAME");
        }

        return new BackendSpec(
            executable,
            Bool(values, "binary"),
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
            Origins = Get(values, "origin") is { } origin ? CheckText("origin", origin) : null,
        };
    }

    private static ProxySpec ParseProxy(Dictionary<string, string> values, BackendSpec backend)
    {
        int pingSeconds = backend.PingSeconds;
        string path = CheckPublicPath(Get(values, "public-path") ?? DefaultPublicPath);
        bool htaccess = Bool(values, "htaccess");
        foreach (string flag in NotInHtaccess.Where(f => htaccess && values.ContainsKey(f) && !(f == "tls" && !Bool(values, "tls"))))
        {
            throw new UsageException(
                $"--{flag} does not apply to 'config apache --htaccess': .htaccess goes into a site that already has its host name, ports and certificate");
        }

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
        foreach (string flag in new[] { "cert", "key" }.Where(f => tls is null && values.ContainsKey(f)))
            throw new UsageException($"--{flag} needs --tls or --tls-port: without TLS the config names no certificate");
        var http = Get(values, "proxy-port") is { } port ? ParseListen("proxy-port", port) : new ListenSpec(null, 80);
        if (!htaccess)
        {
            CheckListensApart(
                (http, values.ContainsKey("proxy-port") ? $"--proxy-port={http}" : $"the proxy's default port {http} (--proxy-port)"),
                tls is null ? null : (tls, values.ContainsKey("tls-port") ? $"--tls-port={tls}" : $"--tls (port {tls})"),
                backend);
        }
        return new ProxySpec(
            path,
            Get(values, "server-name") is { } name ? CheckServerName(name) : null,
            http,
            tls,
            CheckText("cert", Path.GetFullPath(Get(values, "cert") ?? DefaultCert)),
            CheckText("key", Path.GetFullPath(Get(values, "key") ?? DefaultKey)),
            timeout,
            htaccess);
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
            // The server's own parser: bits past the prefix, "127.1", an empty list, ...
            HardeningOptionsParser.ParseProxies(new() { ["trusted-proxy"] = [text] });
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        if (IPAddress.IsLoopback(backend))
            return [backend.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "::1" : "127.0.0.1"];
        throw new UsageException(
            $"--address={backend} is not loopback: give --trusted-proxy=ADDRESS of the proxy (or --trusted-proxy=none)");
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

    [GeneratedRegex(@"^/[A-Za-z0-9._~/-]*$")]
    private static partial Regex PublicPathText();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9_][A-Za-z0-9._-]*$")]
    private static partial Regex ServerNameText();

    [GeneratedRegex(@"^[a-z_][a-z0-9_.-]*\$?$", RegexOptions.IgnoreCase)]
    private static partial Regex NameText();

    [GeneratedRegex(@"^/run/[A-Za-z0-9._-]+$")]
    private static partial Regex RunDirName();
}
