using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Whatever the acceptor inherits without close-on-exec (a shell's redirection, a process
/// manager's pipe) stays with the acceptor: no worker and no app gets a copy to hold open
/// for its lifetime.
/// </summary>
public sealed class InheritedDescriptorTests
{
    [Fact]
    public async Task InheritedDescriptor_ReachesNeitherWorkersNorApps()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string marker = Path.Combine(Directory.CreateTempSubdirectory("ws-supervisor-inherited-").FullName, "marker");
        File.WriteAllText(marker, "inherited by the acceptor only");
        // bash opens fd 9 without close-on-exec and execs the binary in its own place.
        using var server = SupervisorProcess.Start(["--spare-workers=2", Paths.Script("echo.sh")],
            wrapper: ["bash", "-c", $"exec 9<'{marker}'; exec \"$0\" \"$@\""]);
        Assert.Equal(marker, new FileInfo($"/proc/{server.Pid}/fd/9").LinkTarget);

        using var client = await WsClient.ConnectAsync(server.Url("/inherit"), cts.Token);
        await client.AssertEchoesAsync("hello", cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/inherit", TimeSpan.FromSeconds(5));

        var pids = server.AllWorkers().Select(w => w.Pid).Append(workerPid).Append(appPid).Distinct().ToList();
        Assert.True(pids.Count >= 3, $"expected a spare worker besides the serving one and its app: {string.Join(", ", pids)}");
        foreach (int pid in pids)
        {
            var holding = Directory.GetFileSystemEntries($"/proc/{pid}/fd")
                .Where(fd => new FileInfo(fd).LinkTarget == marker).ToList();
            Assert.True(holding.Count == 0, $"pid {pid} ({ProcTree.CommandLine(pid)}) holds the acceptor's inherited fd: {string.Join(", ", holding)}");
        }
        await client.AssertEchoesAsync("still echoing", cts.Token);
    }
}
