using System.Globalization;
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

    private static readonly HashSet<string> BooleanFlags = ["sameorigin", "binary", "no-compression"];

    /// <summary>Actions, not settings: "--help=false" is a mistake, not a way to turn help off.</summary>
    private static readonly HashSet<string> ActionFlags = ["help", "h", "version"];

    /// <summary>The flags whose empty value means something (--help says what). Any other
    /// empty value is a mistake, most often an unset shell variable: --origin="$ORIGINS"
    /// must not quietly become "any origin".</summary>
    private static readonly HashSet<string> EmptyAllowed = ["passenv"];

    public static ServerOptions Parse(IReadOnlyList<string> args, string? defaultDemoDir)
    {
        var (values, i) = ReadFlags(args);
        string? command = i < args.Count ? args[i] : null;
        var commandArgs = i + 1 < args.Count ? args.Skip(i + 1).ToArray() : [];
        string? dir = Single(values, "dir");
        string? staticDir = Single(values, "staticdir");

        if (command is not null)
            CheckNotMisplacedSubCommand(args, i);
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

        // A flag that would be silently ignored is a usage error, as --max-per-user is.
        if (Single(values, "auth-timeout") is not null && Single(values, "auth") is null)
            throw new UsageException("--auth-timeout needs --auth: it bounds the auth program, and there is none");
        return new ServerOptions(
            new ListenOptions(ParseAddresses(values), ParseInt(values, "port", DefaultPort, 0, 65535)),
            new AppOptions(
                command is null ? null : ResolveCommand(command, flag: null),
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
                Single(values, "auth") is { } auth ? ResolveCommand(auth, flag: "auth") : null,
                TimeSpan.FromSeconds(ParseInt(values, "auth-timeout", 5, 1, 300))),
            new LogOptions(ParseLogLevel(values), ParseLogFormat(values)),
            ParseAdmission(values),
            HardeningOptionsParser.ParseProxies(values),
            privileges,
            HardeningOptionsParser.ParseLimits(name => Single(values, name)),
            ParseModes(values));
    }

    /// <summary>The flags before the COMMAND, by name (a repeatable flag keeps every value),
    /// and the index of the COMMAND.</summary>
    private static (Dictionary<string, List<string>> Values, int CommandIndex) ReadFlags(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, List<string>>();
        int i = 0;
        for (; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
                return (values, i + 1);
            if (!arg.StartsWith('-') || arg == "-")
                break;

            var (name, value) = FlagWords.Split(arg.TrimStart('-'));
            if (!Known.Contains(name))
                throw new UsageException($"unknown option --{name} (see --help)");
            if (ActionFlags.Contains(name))
            {
                if (value is not null)
                    throw new UsageException($"--{name} takes no value (leave it out instead of --{name}={value})");
                value = "true";
            }
            else if (value is null)
            {
                if (BooleanFlags.Contains(name))
                    value = "true";
                else if (FlagWords.NextIsValue(args, i))
                    value = args[++i];
                else
                    throw new UsageException($"--{name} needs a value (--{name}=VALUE or --{name} VALUE)");
            }
            if (value.Length == 0 && !EmptyAllowed.Contains(name))
                throw new UsageException(EmptyValue(name));
            if (!values.TryGetValue(name, out var list))
                values[name] = list = [];
            list.Add(value);
        }
        return (values, i);
    }

    private static string EmptyValue(string name) => name switch
    {
        "fifo" or "control" => $"--{name}= is empty: give a PATH, or --{name}=off to turn it off",
        "origin" => "--origin= is empty (an unset variable?): give the origins pages may connect from, " +
                    "HOST[:PORT][,...]; without --origin every origin is accepted",
        "address" => "--address= is empty: give an address to listen on, such as 127.0.0.1 or 0.0.0.0",
        _ when BooleanFlags.Contains(name) => $"--{name}= is empty: expected true or false (or --{name} alone)",
        _ => $"--{name}= is empty (an unset variable?): give a value, or leave --{name} out (see --help)",
    };

    public static bool WantsHelp(IReadOnlyList<string> args) => BareFlags(args).Any(name => name is "help" or "h");

    public static bool WantsVersion(IReadOnlyList<string> args) => BareFlags(args).Contains("version");

    /// <summary>The flags given without "=value" before the COMMAND, walked with
    /// <see cref="ReadFlags"/>'s grammar (a value flag takes the next word) but without its
    /// checks, so --help wins over any other mistake on the line.</summary>
    private static IEnumerable<string> BareFlags(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--" || !arg.StartsWith('-') || arg == "-")
                yield break;
            string name = arg.TrimStart('-');
            if (name.Contains('='))
                continue;
            yield return name;
            if (Known.Contains(name) && !ActionFlags.Contains(name) && !BooleanFlags.Contains(name) && FlagWords.NextIsValue(args, i))
                i++;
        }
    }

    /// <summary>Every flag the server takes (the config sub-command tells these apart from
    /// flags nobody takes).</summary>
    public static bool IsServerFlag(string name) => Known.Contains(name);

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
        // Compared before multiplying: 17592186044417M times 2^20 wraps a long to 1 MiB.
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            || number > max / multiplier || number * multiplier < min)
            throw new UsageException($"--{name}={text}: expected a size from {min} to {max} bytes (K and M suffixes allowed)");
        return (int)(number * multiplier);
    }

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
}
