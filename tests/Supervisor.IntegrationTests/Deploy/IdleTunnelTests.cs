using System.Diagnostics;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// The 60-second cut, shortened: each proxy's idle timeout is 5 s (Apache's Timeout and
/// the snippet's timeout=, nginx's proxy_read_timeout). With --ping-interval=2 a quiet
/// connection outlives three timeouts and still echoes; with pings off, the same proxy
/// cuts it after about 5 s, which shows the timeout is real. Every proxy and both cases
/// run at once, so the test takes one idle period.
/// </summary>
public sealed class IdleTunnelTests
{
    private const int ProxyTimeout = 5;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(3 * ProxyTimeout + 1);

    [AnyProxyFact]
    public async Task IdleTunnel_ServerPingsEvery2s_OutlivesThreeProxyTimeouts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var kinds = new List<ProxyKind>();
        if (ApacheServer.IsInstalled)
            kinds.Add(ProxyKind.Apache);
        if (NginxServer.IsInstalled)
            kinds.Add(ProxyKind.Nginx);

        var starting = kinds.SelectMany(k => new[] { (k, Ping: 2), (k, Ping: 0) })
            .Select(c => Task.Run(() => ProxyRig.Start(c.k, c.Ping, ProxyTimeout)))
            .ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
                started.Result.Dispose();
            throw;
        }
        var rigs = starting.Select(t => t.Result).ToList();
        try
        {
            var checks = rigs.Select((rig, i) => i % 2 == 0 ? OutlivesAsync(rig, cts.Token) : CutAsync(rig, cts.Token));
            await Task.WhenAll(checks);
        }
        finally
        {
            rigs.ForEach(r => r.Dispose());
        }
    }

    private static async Task OutlivesAsync(ProxyRig rig, CancellationToken cancellation)
    {
        using var client = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh?idle"), cancellation);
        await client.AssertEchoesAsync("before the quiet", cancellation);
        await Task.Delay(Idle, cancellation);
        try
        {
            await client.AssertEchoesAsync($"after {Idle.TotalSeconds} s of quiet through {rig.Kind}", cancellation);
        }
        catch (WebSocketException e)
        {
            Assert.Fail($"{rig.Kind} cut the pinged connection within {Idle.TotalSeconds} s ({e.Message}); its log:\n{rig.ProxyLog}");
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellation);
    }

    private static async Task CutAsync(ProxyRig rig, CancellationToken cancellation)
    {
        using var client = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh?unpinged"), cancellation);
        await client.AssertEchoesAsync("no pings on this one", cancellation);
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(Idle);
        try
        {
            string? message = await client.ReceiveTextAsync(limit.Token);
            Assert.Null(message); // a close frame: the tunnel ended
        }
        catch (WebSocketException)
        {
            // The proxy closed the TCP connection without a close frame: the usual cut.
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            Assert.Fail($"{rig.Kind} kept an unpinged connection for {Idle.TotalSeconds} s: its idle timeout is not {ProxyTimeout} s, so the pinged case proves nothing");
        }
        clock.Stop();
        Assert.InRange(clock.Elapsed.TotalSeconds, ProxyTimeout - 1, 3 * ProxyTimeout);
    }
}
