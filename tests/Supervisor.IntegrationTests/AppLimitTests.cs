using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --limit-as, --limit-cpu, --limit-nofile and --limit-nproc bind each app (through
/// <c>ws-supervisor exec-app</c>, which sets them and execs the app): an app that goes past
/// one fails and its client gets 1011, while a client connected before still echoes.
/// worker-scripts/sandbox.sh is the app that tries.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class AppLimitTests
{
    private static async Task<(SupervisorProcess Server, ClientWebSocket Held)> StartAsync(CancellationToken cancellation, params string[] limits)
    {
        var server = SupervisorProcess.Start([.. limits, "--dir=worker-scripts"]);
        try
        {
            var held = await WsClient.ConnectAsync(server.Url("/echo.sh"), cancellation);
            await held.AssertEchoesAsync("connected before the app that overreaches", cancellation);
            return (server, held);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    [Fact]
    public async Task LimitAs_AppAllocatesPastIt_AppFails1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, held) = await StartAsync(cts.Token, "--limit-as=100M");
        using (server)
        using (held)
        {
            using var sandbox = await WsClient.ConnectAsync(server.Url("/sandbox.sh"), cts.Token);

            var (status, reason) = await Upgrades.SendAndAwaitCloseAsync(sandbox, "alloc 300", cts.Token);

            Assert.Equal(WebSocketCloseStatus.InternalServerError, status); // 1011
            Assert.Equal("app failed (exit code 1)", reason);
            await server.WaitForLogAsync(new System.Text.RegularExpressions.Regex("app stderr: could not allocate 300 MB"), TimeSpan.FromSeconds(5));
            await held.AssertEchoesAsync("still here", cts.Token);
        }
    }

    [Fact]
    public async Task LimitAs_AllocationWithinIt_Succeeds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, held) = await StartAsync(cts.Token, "--limit-as=100M");
        using (server)
        using (held)
        {
            using var sandbox = await WsClient.ConnectAsync(server.Url("/sandbox.sh"), cts.Token);

            await sandbox.SendTextAsync("alloc 20", cts.Token);

            Assert.Equal("allocated 20 MB", await sandbox.ReceiveTextAsync(cts.Token));
        }
    }

    [Fact]
    public async Task LimitCpu_BusyLoopingApp_KilledBySigxcpu1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, held) = await StartAsync(cts.Token, "--limit-cpu=1");
        using (server)
        using (held)
        {
            using var sandbox = await WsClient.ConnectAsync(server.Url("/sandbox.sh"), cts.Token);
            var clock = Stopwatch.StartNew();

            var (status, reason) = await Upgrades.SendAndAwaitCloseAsync(sandbox, "spin", cts.Token);

            Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
            // SIGXCPU (24) at one CPU second; SIGKILL (9) a second later if it were caught.
            Assert.Contains(reason, new[] { "app failed (killed by signal 24)", "app failed (killed by signal 9)" });
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(15));
            await held.AssertEchoesAsync("still here", cts.Token);
        }
    }

    [Fact]
    public async Task LimitNofileAndNproc_VisibleInTheAppsProcLimits()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (server, held) = await StartAsync(cts.Token, "--limit-nofile=16", "--limit-nproc=4000", "--limit-as=1G", "--limit-cpu=30");
        using (server)
        using (held)
        {
            using var sandbox = await WsClient.ConnectAsync(server.Url("/sandbox.sh"), cts.Token);

            await sandbox.SendTextAsync("limits", cts.Token);
            var lines = new List<string>();
            for (int i = 0; i < 4; i++)
                lines.Add((await sandbox.ReceiveTextAsync(cts.Token))!);

            Assert.Contains("Max open files 16 16 files", lines);
            Assert.Contains("Max processes 4000 4000 processes", lines);
            Assert.Contains("Max address space 1073741824 1073741824 bytes", lines);
            Assert.Contains("Max cpu time 30 31 seconds", lines);
            await held.AssertEchoesAsync("still here", cts.Token);
        }
    }

    [Fact]
    public async Task Limits_ExecApp_AppStartsAsIfSpawnedDirectly()
    {
        // exec-app must hand the app what a direct spawn does: no ignored or blocked
        // signals (the runtime ignores SIGPIPE), only fds 0-2, a process group of its own,
        // the worker as parent. cat is the app: it sets no signal state of its own (bash does).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string cat = File.Exists("/usr/bin/cat") ? "/usr/bin/cat" : "/bin/cat";
        using var server = SupervisorProcess.Start("--limit-nofile=64", cat);
        using var client = await WsClient.ConnectAsync(server.Url("/exec-check"), cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/exec-check", TimeSpan.FromSeconds(5));
        await client.AssertEchoesAsync("cat is running: exec-app is gone", cts.Token);

        // Signals 32 and 33 (glibc's SIGCANCEL, SIGSETXID) too: glibc's posix_spawn left
        // them ignored unless asked by hand (PosixSpawn), and exec-app cannot reset them.
        Assert.Equal(0UL, SignalMask(appPid, "SigIgn"));
        Assert.Equal(0UL, SignalMask(appPid, "SigBlk"));
        // Only fds 0-2: nothing of exec-app's runtime, nor what the acceptor inherited.
        Assert.Equal(["0", "1", "2"], Directory.GetFileSystemEntries($"/proc/{appPid}/fd").Select(Path.GetFileName).Order());
        Assert.Equal(File.ResolveLinkTarget(cat, true)?.FullName ?? cat, File.ResolveLinkTarget($"/proc/{appPid}/exe", false)!.FullName);
        Assert.Contains("Max open files            64                   64", File.ReadAllText($"/proc/{appPid}/limits"));
        Assert.Equal(appPid, ProcessGroup(appPid));
        Assert.Equal(workerPid, ProcTree.ReadStat(appPid)!.ParentPid);
    }

    [Fact]
    public void Limits_BadValues_OneLineUsageErrors()
    {
        foreach (var (flag, expected) in new[]
        {
            ("--limit-as=0", "above zero"),
            ("--limit-as=12X", "K, M or G"),
            ("--limit-cpu=-1", "whole number"),
            ("--limit-nofile=99999999999", "hard limit"),
        })
        {
            var (exitCode, _, stderr) = SupervisorProcess.RunToExit([flag, Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));
            Assert.True(exitCode == 2, $"{flag}: exit {exitCode}");
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains(expected, stderr);
        }
    }

    private static ulong SignalMask(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return ulong.Parse(line[(field.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static int ProcessGroup(int pid)
    {
        string text = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[2], CultureInfo.InvariantCulture);
    }
}
