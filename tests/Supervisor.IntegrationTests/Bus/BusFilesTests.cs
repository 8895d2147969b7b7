using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The FIFO and the control socket as files: the FIFO survives restarts (cron
/// jobs keep its path) and a writer blocked while the server was down delivers once it is
/// back; whatever else sits at either path stops startup and is left as it was; both are
/// created with the configured mode and group.</summary>
public sealed partial class BusFilesTests
{
    private const UnixFileMode Mode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    [Fact]
    public async Task Restart_FifoSurvivesAndAWriterBlockedWhileDownDeliversWhenBack()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        string runDir = Directory.CreateTempSubdirectory("ws-supervisor-bus-restart-").FullName;
        string fifo = Path.Combine(runDir, "global.fifo");
        string opened = Path.Combine(runDir, "writer-opened");
        string go = Path.Combine(runDir, "writer-go");
        const string Line = "written by a writer that waited for the restart";
        Process? plainWriter = null;
        Process? heldWriter = null;
        try
        {
            using (var first = SupervisorProcess.Start($"--run-dir={runDir}", Paths.Script("echo.sh")))
            {
                Assert.True(first.Signal(Signals.SIGTERM));
                Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(10)));
            }
            Assert.Equal("fifo", BusControl.FileKind(fifo));
            string inode = BusControl.Stat("%i", fifo);

            // Two writers while no server runs: cron's `echo > fifo`, and one that keeps the
            // FIFO open and writes its line when the test says so (a client must be
            // connected to see it). Both block in open(2): a FIFO has no reader.
            plainWriter = StartBash("echo 'queued while down' > \"$1\"", fifo);
            heldWriter = StartBash("exec 3> \"$1\"; : > \"$2\"; " +
                "for ((i = 0; i < 1000; i++)); do [[ -e \"$3\" ]] && break; sleep 0.02; done; " +
                $"printf '%s\\n' '{Line}' >&3", fifo, opened, go);
            await Task.Delay(300, cts.Token);
            Assert.False(plainWriter.HasExited, "a writer finished while no server held the FIFO open");
            Assert.False(File.Exists(opened), "a writer opened the FIFO while no server held it open");

            using var second = SupervisorProcess.Start($"--run-dir={runDir}", Paths.Script("echo.sh"));
            Assert.Equal(inode, BusControl.Stat("%i", fifo)); // the same FIFO, not a new one
            Assert.DoesNotContain("Created the global FIFO", second.Stderr);
            Assert.True(plainWriter.WaitForExit(5000), "the blocked `echo > fifo` still hangs after the restart");
            Assert.Equal(0, plainWriter.ExitCode);
            await WaitForFileAsync(opened, cts.Token);

            using var client = await WsClient.ConnectAsync(second.Url(), cts.Token);
            await BusControl.WaitForConnectionsAsync(second, 1, TimeSpan.FromSeconds(5), cts.Token);
            await File.WriteAllTextAsync(go, "", cts.Token);
            Assert.Equal(Line, await client.ReceiveTextAsync(cts.Token));
            Assert.True(heldWriter.WaitForExit(5000));
            Assert.Equal(0, heldWriter.ExitCode);
        }
        finally
        {
            foreach (var writer in new[] { plainWriter, heldWriter })
            {
                if (writer is { HasExited: false })
                    writer.Kill(entireProcessTree: true);
                writer?.Dispose();
            }
            Directory.Delete(runDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("global.fifo", "regular file")]
    [InlineData("global.fifo", "directory")]
    [InlineData("control.sock", "directory")]
    [InlineData("control.sock", "regular file")]
    public void Startup_SomethingElseAtABusPath_OneClearLineAndLeftUntouched(string name, string kind)
    {
        string runDir = Directory.CreateTempSubdirectory("ws-supervisor-test-").FullName;
        string path = Path.Combine(runDir, name);
        string inside = Path.Combine(path, "keep.txt");
        var mtime = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        try
        {
            if (kind == "directory")
            {
                Directory.CreateDirectory(path);
                File.WriteAllText(inside, "keep me\n");
                Directory.SetLastWriteTimeUtc(path, mtime);
            }
            else
            {
                File.WriteAllText(path, "precious\n");
                File.SetLastWriteTimeUtc(path, mtime);
            }

            var (code, stdout, stderr) = SupervisorProcess.RunToExit(["--port=0", $"--run-dir={runDir}", Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

            Assert.NotEqual(0, code);
            Assert.Equal("", stdout);
            // Log lines of what was done before the failure (the FIFO created) may precede it.
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !LogLine().IsMatch(l));
            Assert.StartsWith("ws-supervisor: ", line);
            Assert.Contains(path, line);
            Assert.Contains("untouched", line);
            Assert.Equal(kind, BusControl.FileKind(path));
            if (kind == "directory")
            {
                Assert.Equal(mtime, Directory.GetLastWriteTimeUtc(path));
                Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(path).Select(Path.GetFileName));
                Assert.Equal("keep me\n", File.ReadAllText(inside));
            }
            else
            {
                Assert.Equal(mtime, File.GetLastWriteTimeUtc(path));
                Assert.Equal("precious\n", File.ReadAllText(path));
            }
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }

    [Fact]
    public void BusFiles_Default_Mode0660NotWorldWritable()
    {
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        Assert.Equal("fifo", BusControl.FileKind(server.FifoPath));
        Assert.Equal("socket", BusControl.FileKind(server.ControlPath));
        Assert.Equal(Mode0660, File.GetUnixFileMode(server.FifoPath));
        Assert.Equal(Mode0660, File.GetUnixFileMode(server.ControlPath));
    }

    [Fact]
    public void BusFiles_BusModeAndGroup_AppliedToBoth()
    {
        using var server = SupervisorProcess.Start("--bus-mode=0620", "--bus-group=daemon", Paths.Script("echo.sh"));

        var mode0620 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite;
        Assert.Equal(mode0620, File.GetUnixFileMode(server.FifoPath));
        Assert.Equal(mode0620, File.GetUnixFileMode(server.ControlPath));
        Assert.Equal("daemon", BusControl.Stat("%G", server.FifoPath));
        Assert.Equal("daemon", BusControl.Stat("%G", server.ControlPath));
    }

    [Fact]
    public void BusFiles_RestartWithAnotherMode_ExistingFifoGetsIt()
    {
        string runDir = Directory.CreateTempSubdirectory("ws-supervisor-bus-mode-").FullName;
        try
        {
            using (var first = SupervisorProcess.Start($"--run-dir={runDir}", Paths.Script("echo.sh")))
                Assert.Equal(Mode0660, File.GetUnixFileMode(Path.Combine(runDir, "global.fifo")));
            using var second = SupervisorProcess.Start($"--run-dir={runDir}", "--bus-mode=0600", Paths.Script("echo.sh"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.FifoPath));
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }

    [Fact]
    public async Task Shutdown_Sigterm_ControlSocketRemovedFifoKeptNoErrorLogged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        // A connected client makes the shutdown take a moment (its close handshake), long
        // enough for anything the stop sets off elsewhere to be logged.
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        Assert.True(server.Signal(Signals.SIGTERM));
        var (_, status) = await client.ReceiveUntilCloseAsync(cts.Token);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));
        await server.WaitForLogAsync(new Regex("Stopped"), TimeSpan.FromSeconds(5)); // stderr read to the end

        Assert.Equal("missing", BusControl.FileKind(server.ControlPath));
        Assert.Equal("fifo", BusControl.FileKind(server.FifoPath));
        // A clean stop is not an error: an operator's alerting counts ERR lines.
        var errors = server.StderrLines.Where(l => Regex.IsMatch(l, @"\bERR\b")).ToList();
        Assert.True(errors.Count == 0, $"a clean stop logged errors:\n{string.Join('\n', errors)}");
    }

    private static Process StartBash(string script, params string[] args)
    {
        var info = new ProcessStartInfo("timeout") { UseShellExecute = false };
        foreach (string arg in (string[])["20", "bash", "-c", script, "bash", .. args])
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    private static async Task WaitForFileAsync(string path, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not appear: the writer is still blocked in open(2)");
            await Task.Delay(20, cancellation);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (DBG|INF|WRN) ")]
    private static partial Regex LogLine();
}
