using System.Diagnostics;
using System.Globalization;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Metrics;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks;

/// <summary>The whole benchmark, in the order of issue 8's list of metrics.</summary>
public static class Bench
{
    public static async Task RunAsync(BenchOptions options, string[] args, CancellationToken cancellation)
    {
        var total = Stopwatch.StartNew();
        IWsConnector client = options.Client == "raw" ? new RawConnector() : new BclConnector();
        var harness = new Harness(options, client, cancellation);

        PrintHeader(options, args, client);
        CheckFileLimit(options);
        if (Machine.LoadAverage1() > 1.5)
            harness.Progress($"warning: load average {Machine.LoadAverage1():0.0} on {Environment.ProcessorCount} cores; the figures will be noisy");

        using var apps = new Apps();
        string echoSh = apps.EchoSh();
        var ourFlags = new OurFlags(options.Supervisor, apps.Directory);
        string? echoC = options.Includes("throughput") ? apps.EchoC() : null;
        var table = new ResultTable();

        bool lineMetrics = new[] { "connect", "rate", "memory", "rtt" }.Any(options.Includes);
        if (lineMetrics)
        {
            await using var ours = await StartAsync(harness, ourFlags.Spec(echoSh));
            await using var theirs = await StartAsync(harness, new ServerSpec(ServerKind.Websocketd, options.Websocketd, echoSh, []));

            if (options.Includes("connect"))
                Add(table, ConnectLatency.Rows, await ConnectLatency.RunAsync(harness, ours, theirs));
            if (options.Includes("rate"))
                Add(table, ConnectRate.Rows(options.RateConcurrency), await harness.InterleaveAsync("connections/s", ours, theirs, s => ConnectRate.RunAsync(harness, s)));
            if (options.Includes("memory"))
            {
                var runs = await harness.InterleaveAsync("idle memory", ours, theirs, s => IdleMemory.RunAsync(harness, s));
                Add(table, IdleMemory.Rows(options.IdleConnections), runs);
                table.AddNote($"Idle servers before connecting: ws-supervisor {IdleServer(runs.Ours)}, websocketd {IdleServer(runs.Theirs)} PSS.");
            }
            if (options.Includes("rtt"))
                Add(table, EchoRtt.Rows(options.RttConnections, options.RttMessages), await EchoRtt.RunAsync(harness, ours, theirs));
            await harness.EnsureIdleAsync(ours);
            await harness.EnsureIdleAsync(theirs);
        }

        if (echoC is not null)
        {
            await using var ours = await StartAsync(harness, ourFlags.Spec(echoC));
            await using var theirs = await StartAsync(harness, new ServerSpec(ServerKind.Websocketd, options.Websocketd, echoC, []));
            long small = options.ThroughputMb * 1048576L;
            foreach (var throughput in new Throughput[] { new(1024, 16, small), new(65536, 1, 4 * small), new(65536, 4, 4 * small) })
                Add(table, [throughput.Row], await harness.InterleaveAsync(throughput.Title, ours, theirs, s => throughput.RunAsync(harness, s)));
        }

        if (options.Includes("socket"))
        {
            var spec = ourFlags.Spec(apps.WsEchoC());
            await using var ours = await StartAsync(harness, spec with { ExtraArgs = [.. spec.ExtraArgs, ServerProcess.SocketModeFlag] });
            await using var theirs = await StartAsync(harness, new ServerSpec(ServerKind.Websocketd, options.Websocketd, echoC ?? apps.EchoC(), []));
            Add(table, IdleMemory.SocketRows(options.IdleConnections),
                await harness.InterleaveAsync("socket-mode idle memory", ours, theirs, s => IdleMemory.RunAsync(harness, s)));
        }

        if (options.Includes("broadcast"))
            Add(table, Broadcast.Rows(options.BroadcastClients), await BroadcastAsync(harness, ourFlags, echoSh));

        table.AddNote($"Client: {client.Name}; medians of {options.Runs} run(s) per server, interleaved (connect latency and echo RTT in turns of {options.Turn}); MB = MiB.");
        table.AddNote($"Run time: {total.Elapsed.TotalSeconds:0} s.");
        Console.Out.WriteLine();
        Console.Out.Write(options.Markdown ? table.ToMarkdown() : table.ToText());
    }

    private static async Task<MetricRuns> BroadcastAsync(Harness harness, OurFlags ourFlags, string echoSh)
    {
        ServerProcess ours;
        string fifo;
        try
        {
            var spec = ourFlags.SpecWithFifo(echoSh, out fifo);
            ours = await StartAsync(harness, spec);
        }
        catch (UnsupportedOptionException e)
        {
            harness.Progress($"FIFO broadcast: {Broadcast.NoFifoSupport}: {e.Message}");
            var unavailable = RunResult.Failed(Broadcast.NotAvailable);
            unavailable.Notes.Add($"FIFO broadcast: {Broadcast.NoFifoSupport}.");
            return new MetricRuns([unavailable], []);
        }
        await using (ours)
        {
            var metric = new Broadcast(fifo);
            return await harness.InterleaveAsync("FIFO broadcast", ours, null, s => metric.RunAsync(harness, s));
        }
    }

    private static async Task<ServerProcess> StartAsync(Harness harness, ServerSpec spec)
    {
        var server = await ServerProcess.StartAsync(spec, harness.Cancellation);
        try
        {
            harness.Progress($"{spec.Name} pid {server.Pid} on {server.Endpoint} serving {Path.GetFileName(spec.App)}; warming up");
            await harness.WarmUpAsync(server);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static void Add(ResultTable table, IEnumerable<RowSpec> rows, MetricRuns runs)
    {
        foreach (var row in rows)
            table.Add(row, runs);
        foreach (var run in runs.Ours.Concat(runs.Theirs))
        {
            foreach (string note in run.Notes)
                table.AddNote(note);
            if (run.Failure is { } failure && failure != RunResult.Stalled && !failure.StartsWith("n/a", StringComparison.Ordinal))
                table.AddNote($"A run failed: {failure}");
        }
    }

    private static string IdleServer(IReadOnlyList<RunResult> runs)
    {
        var values = runs.Where(r => r.Values.ContainsKey("idle-server")).Select(r => r.Values["idle-server"]).ToList();
        return values.Count == 0 ? "?" : ResultTable.Format(Stats.Median(values), "kB");
    }

    private static void PrintHeader(BenchOptions options, string[] args, IWsConnector client)
    {
        var output = Console.Out;
        output.WriteLine("ws-supervisor vs websocketd (issue 8)");
        output.WriteLine($"command: dotnet run -c Release --project tests/Supervisor.Benchmarks -- {string.Join(' ', args.Select(Quote))}");
        foreach (string line in Machine.Describe())
            output.WriteLine(line);
        output.WriteLine($"ws-supervisor: {options.Supervisor} ({Version(options.Supervisor)})");
        output.WriteLine($"websocketd: {options.Websocketd} ({Version(options.Websocketd)})");
        output.WriteLine($"client: {client.Name}; runs per server per metric: {options.Runs}; metrics: {string.Join(',', BenchOptions.Metrics.Where(options.Includes))}");
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./,:".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";

    private static string Version(string binary)
    {
        try
        {
            var info = new ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info);
            if (process is null)
                return "?";
            string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(TimeSpan.FromSeconds(5));
            return text.ReplaceLineEndings(" ").Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }

    /// <summary>The client holds every connection's socket; .NET raises its soft limit to the
    /// hard one at start, so only a low hard limit can stop a run, and it should say so first.</summary>
    private static void CheckFileLimit(BenchOptions options)
    {
        int needed = Math.Max(options.IdleConnections, Math.Max(options.BroadcastClients, options.RttConnections)) + 256;
        string? line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        string[] fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (fields.Length > 3 && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) && soft < needed)
            throw new InvalidOperationException($"the open-file limit is {soft}, and this run needs about {needed}: raise it (ulimit -n {needed}) or use fewer connections");
    }
}
