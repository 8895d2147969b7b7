using System.Diagnostics;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>What keeps the global FIFO's lines whole (docs/bus.md, "The global FIFO"): a
/// writer's bytes without a newline never become the start of another writer's line, only
/// one server reads a FIFO, and a FIFO removed while the server runs is made again.</summary>
public sealed partial class FifoGuardsTests
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (DBG|INF|WRN) ")]
    private static partial Regex LogLine();

    private static void WriteOnce(string fifo, string text)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>`printf nonl > fifo`, then another writer's line: the server holds the FIFO
    /// open itself, so it never sees the first writer close; the bytes that waited 1 s for
    /// their newline are dropped with a warning instead of starting the next line.</summary>
    [Fact]
    public async Task LineWithoutNewline_DroppedAfterASecond_NextWritersLineArrivesWhole()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        WriteOnce(server.FifoPath, "nonl");
        await server.WaitForLogAsync(new Regex(@"WRN .*global FIFO: dropped 4 bytes that waited 1 s for their newline"), TimeSpan.FromSeconds(5));
        WriteOnce(server.FifoPath, "a\n");

        Assert.Equal("a", await client.ReceiveTextAsync(cts.Token));
    }

    /// <summary>A line written in pieces close together (a line over PIPE_BUF, a stream
    /// flushed in parts) is still one line.</summary>
    [Fact]
    public async Task LineInPiecesWithinTheSecond_DeliveredWhole()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        using (var stream = new FileStream(server.FifoPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
        {
            stream.Write("first half, "u8);
            await Task.Delay(300, cts.Token);
            stream.Write("second half\n"u8);
        }

        Assert.Equal("first half, second half", await client.ReceiveTextAsync(cts.Token));
        Assert.DoesNotContain("waited 1 s for their newline", server.Stderr);
    }

    /// <summary>The FIFO removed while the server runs: it is made again at its path, and
    /// the next writer's line arrives, instead of `echo >` making a regular file nobody reads.</summary>
    [Fact]
    public async Task FifoRemovedWhileRunning_MadeAgain_NextLineArrives()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        File.Delete(server.FifoPath);
        await server.WaitForLogAsync(new Regex(@"WRN .*global FIFO: .* was removed or replaced while the server ran"), TimeSpan.FromSeconds(10));
        WriteOnce(server.FifoPath, "after the rm\n");

        Assert.Equal("after the rm", await client.ReceiveTextAsync(cts.Token));
    }

    /// <summary>A regular file in the FIFO's place (what `echo >` makes where the FIFO was
    /// removed) is said once, left alone, and once it is moved away the FIFO is made again.</summary>
    [Fact]
    public async Task RegularFileInTheFifosPlace_SaidOnceThenFifoMadeAgainWhenItGoes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        await BusControl.WaitForConnectionsAsync(server, 1, TimeSpan.FromSeconds(5), cts.Token);

        File.Delete(server.FifoPath);
        File.WriteAllText(server.FifoPath, "lost\n");
        var squatter = new Regex(@"ERR .*global FIFO: .* is now a regular file, not the FIFO this server reads");
        await server.WaitForLogAsync(squatter, TimeSpan.FromSeconds(10));
        await Task.Delay(GlobalFifoCheck * 2, cts.Token);
        Assert.Equal("lost\n", File.ReadAllText(server.FifoPath));
        Assert.Single(server.StderrLines, l => squatter.IsMatch(l));

        File.Delete(server.FifoPath);
        await server.WaitForLogAsync(new Regex(@"WRN .*global FIFO: .* was removed or replaced while the server ran"), TimeSpan.FromSeconds(10));
        WriteOnce(server.FifoPath, "back\n");

        Assert.Equal("back", await client.ReceiveTextAsync(cts.Token));
    }

    private static readonly TimeSpan GlobalFifoCheck = TimeSpan.FromSeconds(2);

    /// <summary>A second server on the same FIFO (the same run dir with --control=off, or a
    /// shared --fifo) would take every other line: it refuses to start instead.</summary>
    [Theory]
    [InlineData("same-run-dir")]
    [InlineData("shared-fifo")]
    public void SecondServerOnTheSameFifo_RefusesWithOneLine(string how)
    {
        using var first = SupervisorProcess.Start(Paths.Script("echo.sh"));
        string otherRunDir = Directory.CreateTempSubdirectory("ws-supervisor-second-").FullName;
        try
        {
            string[] args = how == "same-run-dir"
                ? ["--port=0", $"--run-dir={first.RunDir}", "--control=off", Paths.Script("echo.sh")]
                : ["--port=0", $"--run-dir={otherRunDir}", $"--fifo={first.FifoPath}", Paths.Script("echo.sh")];

            var clock = Stopwatch.StartNew();
            var (code, stdout, stderr) = SupervisorProcess.RunToExit(args, TimeSpan.FromSeconds(10));

            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !LogLine().IsMatch(l));
            Assert.Equal($"ws-supervisor: another ws-supervisor is already reading the global FIFO {first.FifoPath}; stop it, or give this one its own --run-dir or --fifo", line);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
            Assert.Equal("fifo", BusControl.FileKind(first.FifoPath));
        }
        finally
        {
            Directory.Delete(otherRunDir, recursive: true);
        }
    }
}
