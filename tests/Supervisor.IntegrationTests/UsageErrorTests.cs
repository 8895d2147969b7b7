using System.Net;
using System.Net.Sockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>Every failure to start prints one line on stderr and exits non-zero (2 for a
/// usage mistake).</summary>
public sealed class UsageErrorTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Usage_UnknownFlag_ExitTwoWithOneLine()
    {
        var (code, stdout, stderr) = SupervisorProcess.RunToExit(["--no-such-flag=1", Paths.Script("echo.sh")], RunTimeout);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("no-such-flag", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Usage_MissingCommandFile_ExitTwoWithOneLine()
    {
        var (code, _, stderr) = SupervisorProcess.RunToExit(["--port=1", Path.Combine(Paths.WorkerScripts, "does-not-exist.sh")], RunTimeout);

        Assert.Equal(2, code);
        Assert.Contains("does-not-exist.sh", Assert.Single(Lines(stderr)));
    }

    /// <summary>Each mistake a review found getting past the parser: a crash with a stack
    /// trace, a server that started anyway (listening on nothing, accepting any origin, a
    /// second Upgrade on every 101), or a misleading message. In the arguments, APP is
    /// echo.sh, RUN a fresh folder and LONG a path that makes RUN/control.sock 126 bytes.</summary>
    [Theory]
    [InlineData(new[] { "--run-dir=", "APP" }, "--run-dir= is empty")]
    [InlineData(new[] { "--dir=" }, "--dir= is empty")]
    [InlineData(new[] { "--auth=", "APP" }, "--auth= is empty")]
    [InlineData(new[] { "--bus-mode=", "APP" }, "--bus-mode= is empty")]
    [InlineData(new[] { "--bus-mode=-1", "APP" }, "--bus-mode=-1: expected an octal mode such as 0660")]
    [InlineData(new[] { "--run-dir=LONG", "APP" }, "--run-dir: the control socket LONG/control.sock would be 126 bytes long, and a unix socket path holds at most 107")]
    [InlineData(new[] { "--control=LONG/control.sock", "APP" }, "--control: the control socket LONG/control.sock would be 126 bytes long")]
    [InlineData(new[] { "--address=", "APP" }, "--address= is empty")]
    [InlineData(new[] { "--address=,", "APP" }, "--address=, names no address")]
    [InlineData(new[] { "--address=127.0.0.1,localhost", "APP" }, "--address: 127.0.0.1 given twice")]
    [InlineData(new[] { "--address=0.0.0.0,127.0.0.1", "APP" }, "--address: 0.0.0.0 already listens on every IPv4 address, 127.0.0.1 too")]
    [InlineData(new[] { "--origin=", "APP" }, "--origin= is empty")]
    [InlineData(new[] { "--origin=,", "APP" }, "--origin=, names no origin")]
    [InlineData(new[] { "--trusted-proxy=,", "APP" }, "--trusted-proxy=, names no proxy")]
    [InlineData(new[] { "--fifo=", "APP" }, "--fifo= is empty: give a PATH, or --fifo=off")]
    [InlineData(new[] { "--control=", "APP" }, "--control= is empty: give a PATH, or --control=off")]
    [InlineData(new[] { "--fifo=RUN/missing/f", "APP" }, "--fifo=RUN/missing/f: no folder RUN/missing; only the run directory")]
    [InlineData(new[] { "--run-dir", "--fifo=x", "APP" }, "--run-dir needs a value")]
    [InlineData(new[] { "--header=Upgrade: h2c", "APP" }, "--header=\"Upgrade: h2c\": the server writes Upgrade itself (--header may not set Upgrade, Connection, Sec-WebSocket-*,")]
    [InlineData(new[] { "--header=content-length: 5", "APP" }, "--header=\"content-length: 5\": the server writes content-length itself")]
    [InlineData(new[] { "--max-message=17592186044417M", "APP" }, "--max-message=17592186044417M: expected a size from 1 to 268435456 bytes")]
    [InlineData(new[] { "--help=false", "APP" }, "--help takes no value")]
    [InlineData(new[] { "--version=1", "APP" }, "--version takes no value")]
    [InlineData(new[] { "--run-dir=RUN", "status" }, "status is a sub-command, and sub-commands come first: ws-supervisor status --port=0 --run-dir=RUN")]
    [InlineData(new[] { "--dir=/etc/passwd" }, "--dir=/etc/passwd: not a directory")]
    [InlineData(new[] { "WORKER-SCRIPTS" }, "WORKER-SCRIPTS: is a directory (to serve every executable in it at /NAME, give --dir=WORKER-SCRIPTS)")]
    [InlineData(new[] { "--auth=no-such-auth-program", "APP" }, "--auth=no-such-auth-program: not found on PATH")]
    [InlineData(new[] { "--auth=WORKER-SCRIPTS", "APP" }, "--auth=WORKER-SCRIPTS: is a directory, not a program")]
    public void Usage_Mistake_OneLineExit2(string[] args, string expected)
    {
        string run = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;
        string longPath = Path.Combine(run, new string('x', 126 - run.Length - "/control.sock".Length - 1));
        string Fill(string text) => text.Replace("LONG", longPath).Replace("RUN", run).Replace("WORKER-SCRIPTS", Paths.WorkerScripts);
        try
        {
            // --port=0 and a run folder of its own: a server that starts anyway (the mistake
            // was not caught) binds nothing of anyone else's before the timeout fails the test.
            var (code, stdout, stderr) = SupervisorProcess.RunToExit(
                ["--port=0", .. args.Any(a => a.StartsWith("--run-dir", StringComparison.Ordinal)) ? Array.Empty<string>() : [$"--run-dir={run}"],
                 .. args.Select(a => a == "APP" ? Paths.Script("echo.sh") : Fill(a))], RunTimeout);

            Assert.Equal("", stdout);
            Assert.StartsWith($"ws-supervisor: {Fill(expected)}", Assert.Single(Lines(stderr)));
            Assert.Equal(2, code);
            Assert.False(Directory.Exists(Path.Combine(run, "missing")), "a folder named by --fifo was made");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    /// <summary>A folder the bus cannot go in fails at startup (exit 1), with the path, the
    /// flag that chose it and the kernel's own reason, not a .NET resource key.</summary>
    [Theory]
    [InlineData("--run-dir=/proc/ws-supervisor-test", "/proc/ws-supervisor-test (--run-dir): mkdir /proc/ws-supervisor-test: No such file or directory")]
    [InlineData("--control=/proc/ws-supervisor-test.sock", "cannot set up the control socket /proc/ws-supervisor-test.sock (--control): bind /proc/ws-supervisor-test.sock: No such file or directory")]
    public void Startup_BusCannotBeMadeThere_OneLineWithPathFlagAndReason(string flag, string expected)
    {
        string run = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;
        try
        {
            string[] bus = flag.StartsWith("--run-dir", StringComparison.Ordinal) ? [flag] : [$"--run-dir={run}", flag];
            var (code, _, stderr) = SupervisorProcess.RunToExit(["--port=0", .. bus, Paths.Script("echo.sh")], RunTimeout);

            Assert.Equal(1, code);
            var lines = Lines(stderr);
            Assert.Equal($"ws-supervisor: {expected}", lines[^1]);
            Assert.All(lines[..^1], line => Assert.Contains(" INF ", line)); // what was made before: the FIFO
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void Startup_PortHeldByAnotherSupervisor_SecondOneRefusesToStart()
    {
        // Both would bind if the listener set SO_REUSEPORT (.NET's ReuseAddress does on
        // Linux), and the kernel would then split new connections between the two.
        using var first = SupervisorProcess.Start(Paths.Script("echo.sh"));
        string runDir = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;

        var (code, _, stderr) = SupervisorProcess.RunToExit(
            [$"--port={first.Port}", $"--run-dir={runDir}", Paths.Script("echo.sh")], RunTimeout);
        Directory.Delete(runDir, recursive: true);

        Assert.Equal(1, code);
        Assert.Contains("Address already in use", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void Startup_PortInUse_NonZeroWithOneLine()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var (code, _, stderr) = SupervisorProcess.RunToExit([$"--port={port}", Paths.Script("echo.sh")], RunTimeout);

        Assert.NotEqual(0, code);
        Assert.Contains(port.ToString(), Assert.Single(Lines(stderr)));
    }

    [Fact]
    public async Task Port_Zero_OsPicksAFreePortAndServes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh")); // the helper passes --port=0

        Assert.InRange(server.Port, 1, 65535);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Fact]
    public void Version_Flag_PrintsVersionAndExitsZero()
    {
        var (code, stdout, _) = SupervisorProcess.RunToExit(["--version"], RunTimeout);

        Assert.Equal(0, code);
        Assert.Matches(@"^ws-supervisor \d+\.\d+\.\d+\n$", stdout);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
