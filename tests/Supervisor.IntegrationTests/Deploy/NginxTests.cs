namespace Supervisor.IntegrationTests.Deploy;

/// <summary>ws-supervisor behind nginx, configured from `ws-supervisor config nginx` (one
/// server, plain and TLS listeners) and started with the command line it prints.</summary>
public sealed class NginxTests(NginxRigFixture fixture) : IClassFixture<NginxRigFixture>
{
    private static CancellationTokenSource Deadline() => new(TimeSpan.FromSeconds(30));

    [NginxFact]
    public async Task Location_Ws_ClientEchoes()
    {
        using var cts = Deadline();
        await ThroughProxy.EchoAsync(fixture.Rig, tls: false, cts.Token);
    }

    [NginxFact]
    public async Task Location_WssThroughNginxTls_ClientEchoes()
    {
        using var cts = Deadline();
        await ThroughProxy.EchoAsync(fixture.Rig, tls: true, cts.Token);
    }

    [NginxFact]
    public async Task Location_XForwardedFor_AppSeesClientAddressAndHttpsOnlyOverTls()
    {
        using var cts = Deadline();
        await ThroughProxy.ForwardedAsync(fixture.Rig, tls: true, cts.Token);
        await ThroughProxy.ForwardedAsync(fixture.Rig, tls: false, cts.Token);
    }

    [NginxFact]
    public async Task Location_FifoBroadcast_ReachesClientThroughNginx()
    {
        using var cts = Deadline();
        await ThroughProxy.BroadcastAsync(fixture.Rig, cts.Token);
    }

    [NginxFact]
    public async Task Location_ServerRestart_ClientReconnectsWithinASecond()
    {
        using var cts = Deadline();
        await ThroughProxy.RestartAsync(fixture.Rig, statusWhileDown: 502, cts.Token);
    }
}
