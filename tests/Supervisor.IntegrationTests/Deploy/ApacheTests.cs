using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// ws-supervisor behind Debian's Apache 2.4, configured from `ws-supervisor config apache`
/// (the ProxyPass virtual hosts, plain and TLS) and `config apache --htaccess` (a document
/// root's .htaccess), started with the command line those snippets print.
/// </summary>
public sealed class ApacheTests(ApacheRigFixture fixture) : IClassFixture<ApacheRigFixture>
{
    private static CancellationTokenSource Deadline() => new(TimeSpan.FromSeconds(30));

    [ApacheFact]
    public async Task ProxyPass_Ws_ClientEchoes()
    {
        using var cts = Deadline();
        await ThroughProxy.EchoAsync(fixture.Rig, tls: false, cts.Token);
    }

    [ApacheFact]
    public async Task ProxyPass_WssThroughApachesTls_ClientEchoes()
    {
        using var cts = Deadline();
        await ThroughProxy.EchoAsync(fixture.Rig, tls: true, cts.Token);
    }

    [ApacheFact]
    public async Task ProxyPass_XForwardedFor_AppSeesClientAddressAndHttpsOnlyOverTls()
    {
        using var cts = Deadline();
        await ThroughProxy.ForwardedAsync(fixture.Rig, tls: true, cts.Token);
        await ThroughProxy.ForwardedAsync(fixture.Rig, tls: false, cts.Token);
    }

    [ApacheFact]
    public async Task ProxyPass_FifoBroadcast_ReachesClientThroughApache()
    {
        using var cts = Deadline();
        await ThroughProxy.BroadcastAsync(fixture.Rig, cts.Token);
    }

    [ApacheFact]
    public async Task ProxyPass_ServerRestart_ClientReconnectsWithinASecond()
    {
        using var cts = Deadline();
        await ThroughProxy.RestartAsync(fixture.Rig, statusWhileDown: 503, cts.Token);
    }

    [ApacheFact]
    public async Task Htaccess_ConnectionTokenList_UpgradesAndEchoes()
    {
        using var cts = Deadline();
        var rig = fixture.Rig;

        // Firefox's Connection header: a token list, which the RewriteCond matches as a word.
        using var upgrade = await ProxyClient.ConnectAsync(rig.HtaccessPort, "/ws/echo.sh", tls: false, cts.Token,
            connection: "keep-alive, Upgrade");
        Assert.True(upgrade.Socket is not null, $"{upgrade.Head.StatusLine}; Apache's log:\n{rig.ProxyLog}");
        await upgrade.Open.AssertEchoesAsync("through the .htaccess RewriteRule", cts.Token);

        var env = await ProxyClient.ReadEnvAsync(rig.HtaccessPort, "/ws/env.sh", tls: false, cts.Token, "keep-alive, Upgrade");
        Assert.Equal("127.0.0.2", env["REMOTE_ADDR"]);
        Assert.Equal("http", env["HTTP_X_FORWARDED_PROTO"]);
        // .htaccess cannot set ProxyPreserveHost: Host is the backend's, and the browser's
        // arrives in mod_proxy's X-Forwarded-Host, believed from the trusted proxy.
        string browserHost = $"127.0.0.1:{rig.HtaccessPort}";
        Assert.Equal(browserHost, env["HTTP_X_FORWARDED_HOST"]);
        Assert.Equal(browserHost, env["HTTP_HOST"]);
        Assert.Equal("127.0.0.1", env["SERVER_NAME"]);
        Assert.Equal(rig.HtaccessPort.ToString(System.Globalization.CultureInfo.InvariantCulture), env["SERVER_PORT"]);
    }

    [ApacheFact]
    public async Task Htaccess_NoUpgradeInConnection_NotProxied()
    {
        using var cts = Deadline();
        using var upgrade = await ProxyClient.ConnectAsync(fixture.Rig.HtaccessPort, "/ws/echo.sh", tls: false, cts.Token,
            connection: "keep-alive");
        Assert.Null(upgrade.Socket);
        Assert.StartsWith("HTTP/1.1 404", upgrade.Head.StatusLine); // the RewriteCond let it fall through to the document root
    }
}
