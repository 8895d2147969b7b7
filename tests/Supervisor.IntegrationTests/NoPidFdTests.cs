using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Where the kernel has no pidfd_open (before Linux 5.3, or a seccomp policy refuses it),
/// a worker waits for its app's exit on a thread blocked in waitpid instead of polling a
/// pidfd: the app's exit, its stderr and its reaping must come out the same. This kernel
/// has pidfd_open, so the server runs under a seccomp filter that fails it with ENOSYS
/// (Fixtures/without-pidfd.py); the filter passes to every worker and app.
/// </summary>
public sealed class NoPidFdTests
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(5);

    private static SupervisorProcess StartWithoutPidFd(params string[] args) =>
        SupervisorProcess.Start(["--loglevel=debug", .. args], wrapper: [Paths.Fixture("without-pidfd.py")]);

    [Fact]
    public async Task NoPidFd_AppExitsWithStatus3_LineThenClose1011AndItsStderrLogged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithoutPidFd(Paths.Script("fail.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/fail"), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(["about to fail"], messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        await server.WaitForLogAsync(new(@"no pidfd for app \d+ \(pidfd_open: .*\(errno 38\)\): a thread of its own waits"), LogWait);
        await server.WaitForLogAsync(new(@"app stderr: fail\.sh: exiting with status 3$"), LogWait);
        await server.WaitForLogAsync(new(@"connection ended: /fail .*close=1011 reason=AppCrashed"), LogWait);
    }

    [Fact]
    public async Task NoPidFd_ClientClosesTwice_EachAppSeesEofAndIsReaped()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = StartWithoutPidFd(Paths.Script("echo.sh"));

        for (int visit = 1; visit <= 2; visit++)
        {
            string path = $"/visit{visit}";
            using var client = await WsClient.ConnectAsync(server.Url(path), cts.Token);
            await client.AssertEchoesAsync($"hello {visit}", cts.Token);
            var (_, appPid, _) = await server.WaitForOpenedAsync(path, LogWait);

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

            await server.WaitForLogAsync(
                new($@"connection ended: {path} worker=\d+ app={appPid} .*close=1000 reason=ClientClosed .*stop=stdin EOF"), LogWait);
            // Not even a zombie: the waitpid thread reaps it (a zombie keeps its /proc entry).
            Assert.True(await ProcTree.WaitUntilReapedAsync(appPid, TimeSpan.FromSeconds(2)),
                $"echo.sh (pid {appPid}) is still in /proc 2 s after its connection ended: exited but never reaped");
        }
        await server.WaitForLogAsync(new(@"no pidfd for app \d+ .*errno 38"), LogWait);
    }
}
