using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Memory per idle connection: N connections held open (each echoed once, so its app is
/// running), then the PSS of the server's whole process tree, minus the idle server's own
/// before the first connect (a freshly started, warmed-up server), over N. Split into the server side (ours: acceptor + workers;
/// websocketd: itself) and the apps, plus for ours the median worker and the acceptor's own
/// growth — the two memory targets of issue 8 (worker ≤ 1 MB; acceptor growth per
/// connection ≤ websocketd's). That growth is in anonymous memory: a PSS (or even USS)
/// difference would credit the acceptor with the binary pages its workers come to share.
/// </summary>
public static class IdleMemory
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public static RowSpec[] Rows(int connections) =>
    [
        new($"PSS per idle connection at {connections}, whole tree", "total", "kB", Goal.Info),
        new("  of which server side (acceptor + workers | websocketd)", "server", "kB", Goal.Info),
        new("  of which the apps (bash)", "apps", "kB", Goal.Info),
        new("  server process's own growth per connection, anonymous (acceptor | websocketd)", "root", "kB", Goal.RatioAtMost),
        new("  one worker process, median PSS", "worker", "kB", Goal.OursAtMost, 1024),
    ];

    /// <summary>Socket mode (ours: apps/ws-echo.c owns the upgraded socket, no worker)
    /// against websocketd running apps/echo.c over stdin/stdout: issue 8's "total PSS per
    /// connection at most websocketd's with the same C app".</summary>
    public static RowSpec[] SocketRows(int connections) =>
    [
        new($"socket mode: PSS per idle connection at {connections}, whole tree (C apps)", "total", "kB", Goal.RatioAtMost),
        new("  of which server side (acceptor | websocketd)", "server", "kB", Goal.Info),
        new("  of which the apps (C)", "apps", "kB", Goal.Info),
    ];

    public static async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        int count = harness.Options.IdleConnections;
        bool ours = server.Spec.Kind == ServerKind.Supervisor;
        using var deadline = harness.Deadline(TimeSpan.FromSeconds(120 + count * 0.1));

        // A fresh server for every run: both keep the heap they grew serving the earlier
        // metrics and runs (measured: websocketd 10 → 63 MB PSS idle over three runs of 1000),
        // and growth measured from such a baseline reads as nearly nothing.
        await server.RestartAsync(harness.Cancellation);
        await harness.WarmUpAsync(server);
        var rootBefore = ProcessTree.ReadRollup(server.Pid);
        var connections = await harness.OpenManyAsync(server, count, 16, deadline.Token);
        try
        {
            // Ours: a worker and an app per connection, plus the spare workers (counted in
            // the server side: they are part of its cost); websocketd: an app.
            if (!await server.WaitAppsAsync(count, TimeSpan.FromSeconds(30)))
                return RunResult.Failed($"{server.AppCount()} apps under {server.Name}, expected {count}");
            await Task.Delay(Settle, deadline.Token);

            var tree = ProcessTree.Walk(server.Pid, withMemory: true);
            int appDepth = server.AppDepth;
            long rootAnonymous = tree.Where(p => p.Depth == 0).Sum(p => p.AnonymousKb);
            long serverSide = tree.Where(p => p.Depth < appDepth).Sum(p => p.PssKb);
            long apps = tree.Where(p => p.Depth >= appDepth).Sum(p => p.PssKb);

            var result = new RunResult();
            result.Values["total"] = (serverSide + apps - rootBefore.PssKb) / (double)count;
            result.Values["server"] = (serverSide - rootBefore.PssKb) / (double)count;
            result.Values["apps"] = apps / (double)count;
            result.Values["root"] = (rootAnonymous - rootBefore.AnonymousKb) / (double)count;
            if (ours)
            {
                // Serving workers only (a parent of an app): idle spares are not "per connection".
                var serving = tree.Where(p => p.Depth == 2).Select(p => p.ParentPid).ToHashSet();
                var workers = tree.Where(p => p.Depth == 1 && serving.Contains(p.Pid)).Select(p => (double)p.PssKb).ToList();
                if (workers.Count > 0)
                    result.Values["worker"] = Stats.Median(workers);
            }
            result.Values["idle-server"] = rootBefore.PssKb;
            return result;
        }
        finally
        {
            await Harness.CloseManyAsync(connections);
        }
    }
}
