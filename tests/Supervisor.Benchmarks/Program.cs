using Supervisor.Benchmarks;
using Supervisor.Benchmarks.Servers;

const string Usage = """
    Quick check (about a minute, tiny sizes, one run; what CI runs so this never rots):
      dotnet run -c Release --project tests/Supervisor.Benchmarks -- --supervisor PATH/ws-supervisor --quick

    ws-supervisor side by side with websocketd (issue 8). Starts both on free loopback ports
    with the same app, runs each metric on them in turn (A B A B …, --runs each), and prints
    the median of the runs, the ratio ours/theirs, the target and whether it is met. Connect
    latency and echo RTT, which the machine's drift moves most, go further: within each run
    the servers take turns of --turn connections or messages, so both share the same seconds.

    Usage:
      dotnet run -c Release --project tests/Supervisor.Benchmarks -- --supervisor PATH [options]

    Servers:
      --supervisor PATH         the ws-supervisor binary (./install.sh --prefix DIR puts it in DIR/bin)
      --websocketd PATH         the reference server (default /usr/bin/websocketd)

    Runs:
      --runs N                  runs per server per metric; the table shows the median (default 5)
      --quick                   tiny sizes and one run: finishes in about a minute
      --only LIST               some of: connect,rate,memory,rtt,throughput,socket,broadcast (default all)
      --warmup N                connections per server before measuring (default 20)
      --turn N                  connections (connect latency) or messages on each connection
                                (echo RTT) one server takes before the other's turn (default 25)
      --client KIND             raw (default: a lean RFC 6455 client on a bare socket) or
                                ClientWebSocket (the BCL's; its handshake costs more per connect)
      --markdown                print the table as Markdown, for README

    Sizes (default, --quick):
      --connect-samples N       connections one at a time, timed connect→first echo (300, 50)
      --rate-connections N      connections for the rate at --rate-concurrency (1000, 200)
      --rate-concurrency N      clients at once for the rate (16)
      --idle-connections N      connections held open for the memory figures (1000, 100)
      --rtt-connections N       connections talking at once for the echo RTT (100, 20)
      --rtt-messages N          32-byte messages each sends, one at a time (100, 50)
      --throughput-mb N         MiB echoed in 1 KiB messages; 4 × N in 64 KiB ones (64, 8)
      --broadcast-clients N     clients of the FIFO broadcast, ours only (1000, 100)
      --broadcasts N            lines written into the FIFO, 50 ms apart (100, 20)

    Apps: apps/echo.sh (while read -r l; do echo "$l"; done) for every metric but throughput,
    which uses apps/echo.c, and socket (idle memory in socket mode), which runs apps/ws-echo.c
    under ours and apps/echo.c under websocketd; both built at start with cc -O2. MB is MiB (1,048,576 bytes).
    Progress goes to stderr, the report to stdout. Exit 0 when the report is printed, missed
    targets or not; 1 if a server cannot be started or the harness fails; 2 for bad usage.
    """;

if (BenchOptions.WantsHelp(args))
{
    Console.Out.Write(Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (BenchUsageException e)
{
    Console.Error.WriteLine($"Supervisor.Benchmarks: {e.Message} (see --help)");
    return 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    await Bench.RunAsync(options, args, interrupted.Token);
    return 0;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("Supervisor.Benchmarks: interrupted; servers stopped");
    return 130;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnsupportedOptionException)
{
    Console.Error.WriteLine($"Supervisor.Benchmarks: {e.Message}");
    return 1;
}
