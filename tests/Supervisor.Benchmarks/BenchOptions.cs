using System.Globalization;

namespace Supervisor.Benchmarks;

public sealed class BenchUsageException(string message) : Exception(message);

/// <summary>Every size and repetition, validated once. <c>--quick</c> swaps the defaults
/// for tiny ones; a flag given explicitly wins over either.</summary>
public sealed record BenchOptions(
    string Supervisor,
    string Websocketd,
    int Runs,
    bool Quick,
    int Warmup,
    int ConnectSamples,
    int Turn,
    int RateConnections,
    int RateConcurrency,
    int IdleConnections,
    int RttConnections,
    int RttMessages,
    int ThroughputMb,
    int BroadcastClients,
    int Broadcasts,
    IReadOnlySet<string> Only,
    bool Markdown,
    string Client)
{
    public static readonly string[] Metrics = ["connect", "rate", "memory", "rtt", "throughput", "socket", "broadcast"];

    public bool Includes(string metric) => Only.Contains(metric);

    private static readonly HashSet<string> Valued =
    [
        "supervisor", "websocketd", "runs", "warmup", "connect-samples", "turn", "rate-connections", "rate-concurrency",
        "idle-connections", "rtt-connections", "rtt-messages", "throughput-mb", "broadcast-clients", "broadcasts",
        "only", "client",
    ];

    private static readonly HashSet<string> Switches = ["quick", "markdown", "help", "h"];

    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a.TrimStart('-') is "help" or "h");

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new BenchUsageException($"unexpected argument {arg} (options start with --)");
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
                (name, value) = (name[..equals], name[(equals + 1)..]);
            if (Switches.Contains(name))
            {
                if (value is not null)
                    throw new BenchUsageException($"--{name} takes no value");
                values[name] = "true";
                continue;
            }
            if (!Valued.Contains(name))
                throw new BenchUsageException($"unknown option --{name}");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new BenchUsageException($"--{name} needs a value");
                value = args[++i];
            }
            values[name] = value;
        }

        bool quick = values.ContainsKey("quick");
        string supervisor = values.GetValueOrDefault("supervisor")
            ?? throw new BenchUsageException("--supervisor PATH is required (build it with ./install.sh --prefix DIR; PATH is DIR/bin/ws-supervisor)");
        supervisor = Executable(supervisor, "--supervisor");
        string websocketd = Executable(values.GetValueOrDefault("websocketd") ?? "/usr/bin/websocketd", "--websocketd");

        string only = values.GetValueOrDefault("only") ?? string.Join(',', Metrics);
        var selected = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (string metric in selected.Where(m => !Metrics.Contains(m)))
            throw new BenchUsageException($"--only: unknown metric {metric} (known: {string.Join(", ", Metrics)})");
        if (selected.Count == 0)
            throw new BenchUsageException("--only: name at least one metric");

        string client = values.GetValueOrDefault("client") ?? "raw";
        if (client is not ("raw" or "ClientWebSocket"))
            throw new BenchUsageException($"--client={client}: expected raw or ClientWebSocket");

        int Int(string name, int normal, int small, int min, int max)
        {
            if (!values.TryGetValue(name, out string? text))
                return quick ? small : normal;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
                throw new BenchUsageException($"--{name}={text}: expected a whole number from {min} to {max}");
            return value;
        }

        return new BenchOptions(
            supervisor,
            websocketd,
            Runs: Int("runs", 5, 1, 1, 101),
            quick,
            Warmup: Int("warmup", 20, 5, 0, 10_000),
            ConnectSamples: Int("connect-samples", 300, 50, 1, 1_000_000),
            Turn: Int("turn", 25, 25, 1, 1_000_000),
            RateConnections: Int("rate-connections", 1000, 200, 1, 1_000_000),
            RateConcurrency: Int("rate-concurrency", 16, 16, 1, 1000),
            IdleConnections: Int("idle-connections", 1000, 100, 1, 10_000),
            RttConnections: Int("rtt-connections", 100, 20, 1, 5000),
            RttMessages: Int("rtt-messages", 100, 50, 1, 1_000_000),
            ThroughputMb: Int("throughput-mb", 64, 8, 1, 16_384),
            BroadcastClients: Int("broadcast-clients", 1000, 100, 1, 10_000),
            Broadcasts: Int("broadcasts", 100, 20, 1, 100_000),
            selected,
            values.ContainsKey("markdown"),
            client);
    }

    private static string Executable(string path, string flag)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new BenchUsageException($"{flag} {path}: no such file");
        if ((File.GetUnixFileMode(full) & UnixFileMode.UserExecute) == 0)
            throw new BenchUsageException($"{flag} {path}: not executable");
        return full;
    }
}
