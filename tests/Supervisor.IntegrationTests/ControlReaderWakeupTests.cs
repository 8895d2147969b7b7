using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// A worker's control-channel reader sleeps until the acceptor has something for it, and
/// only then. A unix socket has one wait queue for both directions: every frame the
/// worker writes (its app's pid, "ready") wakes that queue for write space once the
/// acceptor has read it, and a reader asleep in recvmsg(2) took each of those wake-ups,
/// found nothing and slept again: three sleeps per connection where one will do. The
/// reader is the worker's thread named "ws-control" (see <see cref="SchedulingTests"/>);
/// its sleeps are the voluntary context switches proc(5) counts.
/// </summary>
public sealed class ControlReaderWakeupTests
{
    private const int Connections = 30;

    [Fact]
    public async Task ControlReader_SleepsOncePerConnection_NotWokenByItsOwnFramesBeingRead()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--spare-workers=1", Paths.Script("echo.sh"));
        await WsClient.AssertServerEchoesAsync(server.Url("/warm"), cts.Token); // every worker thread started
        var before = ReaderSleeps(server);

        for (int i = 0; i < Connections; i++)
            await WsClient.AssertServerEchoesAsync(server.Url($"/c{i}"), cts.Token);
        await Task.Delay(200, cts.Token); // the last "ready" read by the acceptor
        var after = ReaderSleeps(server);

        // Each reader sleeps once per start frame it is sent, plus once when it first
        // starts; a worker the pool started meanwhile counts from zero.
        long sleeps = after.Sum(kv => kv.Value - before.GetValueOrDefault(kv.Key));
        int workers = after.Count;
        Assert.True(sleeps <= Connections + workers + 2,
            $"{sleeps} reader sleeps for {Connections} connections over {workers} workers (with recvmsg's wait: ~{3 * Connections})");
    }

    /// <summary>Sleeps of each worker's control reader (the thread named "ws-control"), by worker pid.</summary>
    public static Dictionary<int, long> ReaderSleeps(SupervisorProcess server) =>
        ProcTree.ThreadSleeps(server.AllWorkers().Select(w => w.Pid), "ws-control");
}
