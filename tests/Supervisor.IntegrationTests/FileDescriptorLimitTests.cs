using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Running out of file descriptors, for real: the acceptor runs under
/// <c>prlimit --nofile=N:N</c> with N small, silent connections use up its fds, and
/// then (the reserve fd at work) every new connection is still answered — 101 + close
/// 1013 by default, 503 with --limit-response=http, 503 for one with no head — while the
/// clients already connected keep echoing, and service comes back once fds are free.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class FileDescriptorLimitTests(ITestOutputHelper output)
{
    // Enough for the acceptor's own ~15 and a worker's ~16 (workers inherit the limit).
    private const int Limit = 48;

    [Theory]
    [InlineData("close")]
    [InlineData("http")]
    public async Task Accept_OutOfFileDescriptors_NewConnectionsAnsweredRetryLater_ConnectedOnesEcho(string mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(
            ["--handshake-timeout=60", $"--limit-response={mode}", Paths.Script("echo.sh")],
            wrapper: ["prlimit", $"--nofile={Limit}:{Limit}"]);
        await server.WaitForLogAsync(new Regex($"File descriptor limit {Limit}:"), TimeSpan.FromSeconds(5));
        var connected = new List<ClientWebSocket>();
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                connected.Add(await WsClient.ConnectAsync(server.Url($"/connected{i}"), cts.Token));
                await connected[^1].AssertEchoesAsync($"client {i}", cts.Token);
            }

            // Silent connections: each accepted one holds an fd in the acceptor (waiting for
            // a head for up to 60 s); a few more than there are fds wait in the backlog.
            int free = Limit - OpenFdsBelow(server.Pid, Limit);
            output.WriteLine($"acceptor: {OpenFdsBelow(server.Pid, Limit)} fds open below {Limit}, {free} free");
            for (int i = 0; i < free + 6; i++)
                silent.Add(await RawHttp.ConnectAsync(server.Port, cts.Token));
            await server.WaitForLogAsync(new Regex("out of file descriptors"), TimeSpan.FromSeconds(10));

            // Those over the limit were accepted into the reserve fd one by one and told 503
            // (they sent no head); the others still wait for their head, unanswered.
            var answered = new List<string>();
            foreach (var socket in silent)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(socket == silent[^1] ? 5 : 0.2));
                try
                {
                    var response = RawHttp.Parse(await RawHttp.ReadToEndAsync(socket, wait.Token));
                    answered.Add(response.StatusLine);
                    Assert.Equal("1", response.Header("Retry-After"));
                    Assert.Equal("Server out of file descriptors; retry later.\n", response.Body);
                }
                catch (OperationCanceledException)
                {
                    // Accepted before the limit: waiting for a head that never comes.
                }
            }
            output.WriteLine($"{answered.Count} of {silent.Count} silent connections answered: {string.Join(", ", answered.Distinct())}");
            Assert.NotEmpty(answered);
            Assert.All(answered, status => Assert.Equal("HTTP/1.1 503 Service Unavailable", status));

            // A real upgrade now: answered from the reserve, no worker.
            int workersBefore = server.ServingWorkers().Count;
            string request = RawHttp.UpgradeHead("/while-out-of-fds");
            if (mode == "close")
            {
                await RawFrames.AssertRetryLaterAsync(server.Port, request, "out of file descriptors", cts.Token);
            }
            else
            {
                var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);
                Assert.Equal("HTTP/1.1 503 Service Unavailable", response.StatusLine);
                Assert.Equal("1", response.Header("Retry-After"));
            }
            Assert.Equal(workersBefore, server.ServingWorkers().Count);

            Assert.False(server.HasExited, "the acceptor died");
            for (int i = 0; i < connected.Count; i++)
                await connected[i].AssertEchoesAsync($"client {i} while the acceptor is out of fds", cts.Token);

            // Fds come back: the acceptor serves again, no restart needed.
            silent.ForEach(s => s.Dispose());
            silent.Clear();
            await WsClient.AssertServerEchoesSoonAsync(server.Url("/after"), TimeSpan.FromSeconds(10), cts.Token);
            Assert.DoesNotContain(server.StderrLines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
            connected.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Open fds numbered below <paramref name="limit"/>: the ones that count, since
    /// a new fd always takes the lowest free number and fails with EMFILE past the limit.</summary>
    private static int OpenFdsBelow(int pid, int limit) =>
        Directory.GetFileSystemEntries($"/proc/{pid}/fd")
            .Select(p => int.Parse(Path.GetFileName(p), CultureInfo.InvariantCulture))
            .Count(fd => fd < limit);
}
