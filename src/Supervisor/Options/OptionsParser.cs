using System.Globalization;
using System.Net;
using Supervisor.Logging;

namespace Supervisor.Options;

/// <summary>
/// websocketd's command-line grammar: flags first (<c>--name=value</c>, <c>--name value</c>,
/// one or two dashes), then the app command and its arguments, taken verbatim. Every
/// mistake is a <see cref="UsageException"/> with one line naming the flag.
/// </summary>
public static partial class OptionsParser
{
    public const int DefaultPort = 8080;
    public const int DefaultMaxMessageBytes = 1024 * 1024;

    // websocketd's default: only these reach the app, besides the CGI variables.
    private static readonly string[] DefaultPassEnv = ["PATH", "LD_LIBRARY_PATH"];

    private static readonly HashSet<string> BooleanFlags = ["help", "version", "sameorigin", "binary", "no-compression"];

    public static ServerOptions Parse(IReadOnlyList<string> args, string? defaultDemoDir)
    {
        var values = new Dictionary<string, List<string>>();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            if (!arg.StartsWith('-') || arg == "-")
                break;

            string body = arg.TrimStart('-');
            string name = body;
            string? value = null;
            int equals = body.IndexOf('=');
            if (equals >= 0)
            {
                name = body[..equals];
                value = body[(equals + 1)..];
            }
            if (!Known.Contains(name))
                throw new UsageException($"unknown option --{name} (see --help)");
            if (value is null)
            {
                if (BooleanFlags.Contains(name))
                    value = "true";
                else if (i + 1 < args.Count)
                    value = args[++i];
                else
                    throw new UsageException($"--{name} needs a value");
            }
            if (!values.TryGetValue(name, out var list))
                values[name] = list = [];
            list.Add(value);
        }

        string? command = i < args.Count ? args[i] : null;
        var commandArgs = i + 1 < args.Count ? args.Skip(i + 1).ToArray() : [];
        string? dir = Single(values, "dir");
        string? staticDir = Single(values, "staticdir");

        if (command is not null && dir is not null)
            throw new UsageException("give either --dir=DIR or a COMMAND, not both");
        if (command is null && dir is null)
        {
            dir = defaultDemoDir ?? throw new UsageException(
                "nothing to serve: give a COMMAND or --dir=DIR (no worker-scripts/ demo folder was found)");
            staticDir ??= DemoDirectory.PageFolder(dir);
        }

        var privileges = HardeningOptionsParser.ParsePrivileges(values, name => Single(values, name));
        var bus = ParseBus(values);
        if (privileges.User is { } user)
            bus = bus with { Owner = new BusOwner(user.Uid, privileges.Gid) };

        return new ServerOptions(
            new ListenOptions(ParseAddresses(values), ParseInt(values, "port", DefaultPort, 0, 65535)),
            new AppOptions(
                command is null ? null : ResolveCommand(command),
                commandArgs,
                dir is null ? null : ResolveDirectory(dir),
                ParsePassEnv(values),
                ParseHeaders(values),
                staticDir is null ? null : ResolveStaticDirectory(staticDir)),
            new LimitOptions(
                ParseInt(values, "maxforks", 0, 0, int.MaxValue),
                ParseSize(values, "max-head", 8 * 1024, 1024, 1024 * 1024),
                TimeSpan.FromSeconds(ParseInt(values, "handshake-timeout", 10, 1, 3600)),
                TimeSpan.FromSeconds(ParseInt(values, "shutdown-timeout", 5, 0, 3600)))
            {
                SpareWorkers = ParseInt(values, "spare-workers", 8, 0, 1024),
                WorkerReuse = ParseInt(values, "worker-reuse", 1000, 1, int.MaxValue),
            },
            new SessionOptions(
                ParseInt(values, "closems", 0, 0, 3_600_000),
                ParseInt(values, "ping-interval", 30, 0, 86_400),
                ParseSize(values, "max-message", DefaultMaxMessageBytes, 1, 256 * 1024 * 1024),
                ParseInt(values, "idle-timeout", 0, 0, 86_400 * 7)),
            bus,
            new AuthOptions(
                Single(values, "auth") is { } auth ? ResolveCommand(auth) : null,
                TimeSpan.FromSeconds(ParseInt(values, "auth-timeout", 5, 1, 300))),
            new LogOptions(ParseLogLevel(values), ParseLogFormat(values)),
            ParseAdmission(values),
            HardeningOptionsParser.ParseProxies(values),
            privileges,
            HardeningOptionsParser.ParseLimits(name => Single(values, name)),
            ParseModes(values));
    }

    private static BusOptions ParseBus(Dictionary<string, List<string>> values)
    {
        string runDir = Single(values, "run-dir") is { } dir ? Path.GetFullPath(dir) : RunPaths.DefaultDirectory();
        string? fifo = Single(values, "fifo") ?? Path.Combine(runDir, RunPaths.FifoName);
        string? control = Single(values, "control") ?? Path.Combine(runDir, RunPaths.ControlName);
        string modeText = Single(values, "bus-mode") ?? "0660";
        uint mode;
        try
        {
            mode = Convert.ToUInt32(modeText, 8);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UsageException($"--bus-mode={modeText}: expected an octal mode such as 0660");
        }
        if (mode > 0x1FF)
            throw new UsageException($"--bus-mode={modeText}: expected permission bits only (at most 0777)");
        HardeningOptionsParser.CheckBusMode(modeText, mode);
        string? group = Single(values, "bus-group");
        if (group is not null && Unix.FileOwnership.GroupId(group) is null)
            throw new UsageException($"--bus-group={group}: no such group");
        return new BusOptions(
            IsOff(fifo) ? null : Path.GetFullPath(fifo),
            IsOff(control) ? null : Path.GetFullPath(control),
            mode, group);
    }

    private static bool IsOff(string value) => value is "off" or "none" or "";

    public static bool WantsHelp(IReadOnlyList<string> args) =>
        args.TakeWhile(a => a.StartsWith('-')).Any(a => a.TrimStart('-') is "help" or "h");

    public static bool WantsVersion(IReadOnlyList<string> args) =>
        args.TakeWhile(a => a.StartsWith('-')).Any(a => a.TrimStart('-') == "version");

    private static readonly HashSet<string> Known =
    [
        "port", "address", "dir", "maxforks", "closems", "loglevel", "log-format", "ping-interval",
        "max-message", "passenv", "header", "handshake-timeout", "max-head", "shutdown-timeout",
        "spare-workers", "worker-reuse",
        "run-dir", "fifo", "control", "bus-mode", "bus-group", "auth", "auth-timeout",
        "staticdir",
        "origin", "sameorigin", "max-per-ip", "max-per-user", "max-spawn-rate", "limit-response", "idle-timeout",
        "mode", "binary", "cgi-concurrency", "cgi-timeout", "no-compression",
        "help", "h", "version", .. HardeningOptionsParser.Flags,
    ];

    private static string? Single(Dictionary<string, List<string>> values, string name)
    {
        if (!values.TryGetValue(name, out var list))
            return null;
        if (list.Count > 1)
            throw new UsageException($"--{name} given more than once");
        return list[0];
    }

    private static int ParseInt(Dictionary<string, List<string>> values, string name, int fallback, int min, int max)
    {
        string? text = Single(values, name);
        if (text is null)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new UsageException($"--{name}={text}: expected a whole number from {min} to {max}");
        return value;
    }

    /// <summary>Bytes with an optional K or M suffix (1024-based): 65536, 64K, 1M.</summary>
    private static int ParseSize(Dictionary<string, List<string>> values, string name, int fallback, int min, int max)
    {
        string? text = Single(values, name);
        if (text is null)
            return fallback;
        long multiplier = 1;
        string digits = text;
        if (text.EndsWith('K') || text.EndsWith('k'))
            (multiplier, digits) = (1024, text[..^1]);
        else if (text.EndsWith('M') || text.EndsWith('m'))
            (multiplier, digits) = (1024 * 1024, text[..^1]);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            || number * multiplier < min || number * multiplier > max)
            throw new UsageException($"--{name}={text}: expected a size from {min} to {max} bytes (K and M suffixes allowed)");
        return (int)(number * multiplier);
    }

    private static IReadOnlyList<IPAddress> ParseAddresses(Dictionary<string, List<string>> values)
    {
        if (!values.TryGetValue("address", out var list))
            return [IPAddress.Loopback];
        var addresses = new List<IPAddress>();
        foreach (string text in list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string bare = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
            if (bare == "localhost")
                bare = "127.0.0.1";
            if (!IPAddress.TryParse(bare, out var address))
                throw new UsageException($"--address={text}: not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or [::1])");
            addresses.Add(address);
        }
        return addresses;
    }

    private static IReadOnlyList<string> ParsePassEnv(Dictionary<string, List<string>> values)
    {
        string? text = Single(values, "passenv");
        if (text is null)
            return DefaultPassEnv;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static IReadOnlyList<string> ParseHeaders(Dictionary<string, List<string>> values)
    {
        if (!values.TryGetValue("header", out var list))
            return [];
        foreach (string header in list)
        {
            int colon = header.IndexOf(':');
            bool valid = colon > 0 && header.Take(colon).All(IsTokenChar) && !header.Any(c => c < 0x20 || c == 0x7f);
            if (!valid)
                throw new UsageException($"--header=\"{header}\": expected \"Name: value\" on one line");
        }
        return list;
    }

    private static bool IsTokenChar(char c) =>
        c is > ' ' and < (char)0x7f && "\"(),/:;<=>?@[\\]{}".IndexOf(c) < 0;

    private static string ParseLogLevel(Dictionary<string, List<string>> values)
    {
        string level = Single(values, "loglevel") ?? "access";
        if (!LogSetup.IsLevel(level))
            throw new UsageException($"--loglevel={level}: expected one of {string.Join(", ", LogSetup.Levels)}");
        return level;
    }

    private static bool ParseLogFormat(Dictionary<string, List<string>> values)
    {
        string format = Single(values, "log-format") ?? "text";
        return format switch
        {
            "text" => false,
            "json" => true,
            _ => throw new UsageException($"--log-format={format}: expected text or json"),
        };
    }

    /// <summary>As a shell would: a name with a slash is a path, anything else is looked
    /// up on PATH. The result is absolute, so a worker never depends on its cwd to find it.</summary>
    private static string ResolveCommand(string command)
    {
        if (command.Contains('/'))
        {
            string full = Path.GetFullPath(command);
            if (!File.Exists(full))
                throw new UsageException($"{command}: no such file");
            if (!IsExecutable(full))
                throw new UsageException($"{command}: not executable (chmod +x {command})");
            return full;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate) && IsExecutable(candidate))
                return candidate;
        }
        throw new UsageException($"{command}: not found on PATH (give a path such as ./{command})");
    }

    private static string ResolveDirectory(string dir)
    {
        string full = Path.GetFullPath(dir);
        if (!Directory.Exists(full))
            throw new UsageException($"--dir={dir}: no such directory");
        return full;
    }

    private static string ResolveStaticDirectory(string dir) =>
        Directory.Exists(dir) ? Path.GetFullPath(dir) : throw new UsageException($"--staticdir={dir}: no such directory");

    internal static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
