using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>`ws-supervisor config apache|nginx|systemd`: what each output must contain for
/// the failure it prevents, the command line it prints, and one-line usage errors.
/// (Apache and nginx themselves run these snippets in ApacheTests and NginxTests.)</summary>
public sealed class ConfigCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(new[] { "config" }, "which kind?")]
    [InlineData(new[] { "config", "lighttpd" }, "unknown kind \"lighttpd\"")]
    [InlineData(new[] { "config", "nginx", "--htaccess" }, "--htaccess does not apply to 'config nginx'")]
    [InlineData(new[] { "config", "apache", "--user=www-data" }, "--user does not apply to 'config apache'")]
    [InlineData(new[] { "config", "systemd", "--bogus=1" }, "unknown option --bogus")]
    [InlineData(new[] { "config", "apache", "--ping-interval=30", "--proxy-timeout=30" }, "--proxy-timeout=30 must be longer than --ping-interval=30")]
    [InlineData(new[] { "config", "nginx", "--public-path=/ws dir/" }, "--public-path=/ws dir/: expected a path")]
    [InlineData(new[] { "config", "systemd", "--run-dir=/var/run/x/y" }, "must be /run/NAME")]
    [InlineData(new[] { "config", "nginx", "--address=10.0.0.5" }, "give --trusted-proxy=ADDRESS of the proxy")]
    [InlineData(new[] { "config", "systemd", "--binary", "--dir=worker-scripts" }, "--binary needs a PATH")]
    [InlineData(new[] { "config", "systemd", "--binary=" }, "--binary= is empty: give a PATH")]
    [InlineData(new[] { "config", "nginx", "--tls=maybe" }, "--tls=maybe: expected true or false")]
    [InlineData(new[] { "config", "apache", "--htaccess=maybe" }, "--htaccess=maybe: expected true or false")]
    [InlineData(new[] { "config", "nginx", "--origin=," }, "--origin=, names no origin")]
    [InlineData(new[] { "config", "systemd", "--sameorigin" }, "--sameorigin is a server option that config does not carry (it carries --port,")]
    [InlineData(new[] { "config", "nginx", "--sameorigin" }, "--maxforks, --origin): add it to the ws-supervisor command line it prints by hand")]
    public void Config_Mistake_OneLineAndExit2(string[] args, string expected)
    {
        var (exit, stdout, stderr) = SupervisorProcess.RunToExit(args, Timeout);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("ws-supervisor config: ", stderr);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void Config_Help_ListsTheKindsAndExits0()
    {
        var (exit, stdout, _) = SupervisorProcess.RunToExit(["config", "--help"], Timeout);
        Assert.Equal(0, exit);
        Assert.Contains("apache|nginx|systemd", stdout);
        Assert.Contains("--htaccess", stdout);

        var (_, help, _) = SupervisorProcess.RunToExit(["--help"], Timeout);
        Assert.Contains("ws-supervisor config apache|nginx|systemd", help);
    }

    [Fact]
    public void Apache_ProxyPass_UpgradeNoRetryLockoutTimeoutAbovePingsAndTrustedProxyCommand()
    {
        string conf = GeneratedConfig.Print("apache", "--port=8888", "--server-name=example.org", "--tls", "--dir=worker-scripts");

        var proxyPasses = Lines(conf).Where(l => l.StartsWith("ProxyPass ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, proxyPasses.Count); // the plain and the TLS virtual host
        // Default ping interval 30 s → a 90 s tunnel timeout (3 intervals).
        Assert.All(proxyPasses, l => Assert.Equal("ProxyPass \"/ws/\" \"ws://127.0.0.1:8888/\" upgrade=websocket retry=0 timeout=90", l));
        Assert.Contains("RequestHeader set X-Forwarded-Proto \"http\"", Lines(conf));
        Assert.Contains("RequestHeader set X-Forwarded-Proto \"https\"", Lines(conf));
        Assert.Contains("SSLEngine on", Lines(conf));
        Assert.Contains("<VirtualHost *:443>", Lines(conf));
        Assert.Contains("ServerName example.org", Lines(conf));

        var command = GeneratedConfig.ServerCommand(conf);
        Assert.Equal(Paths.Binary, command[0]);
        Assert.Equal(["--port=8888", "--trusted-proxy=127.0.0.1", "--ping-interval=30", $"--dir={Paths.WorkerScripts}"], command.Skip(1));
    }

    [Fact]
    public void Apache_Htaccess_MatchesConnectionAsATokenListAndProxiesWithP()
    {
        string conf = GeneratedConfig.Print("apache", "--htaccess", "--port=8888", "--public-path=/chat.v2", "--ping-interval=50");

        var directives = Lines(conf).Where(l => !l.StartsWith('#') && l.Length > 0).ToList();
        Assert.Equal(
        [
            "RewriteEngine On",
            "RewriteCond %{HTTP:Upgrade} websocket [NC]",
            "RewriteCond %{HTTP:Connection} upgrade [NC]", // a regex: matches "keep-alive, Upgrade"
            @"RewriteRule ^/?chat\.v2/(.*)$ ws://127.0.0.1:8888/$1 [P,L]",
            "RequestHeader set X-Forwarded-Proto \"expr=%{REQUEST_SCHEME}\"",
        ], directives);
        Assert.Contains("AllowOverride FileInfo", conf);
        Assert.Contains("ProxySet retry=0 timeout=150", conf); // what .htaccess cannot say, for the server config
    }

    [Fact]
    public void Nginx_Location_Http11UpgradeMapTimeoutsAndForwardedHeaders()
    {
        string conf = GeneratedConfig.Print("nginx", "--port=8888", "--ping-interval=20", "--tls-port=8443",
            "--location=/live/", "--dir=worker-scripts");

        var lines = Lines(conf);
        Assert.Contains("map $http_upgrade $ws_supervisor_connection {", lines);
        Assert.Contains("location /live/ {", lines);
        Assert.Contains("proxy_pass http://127.0.0.1:8888/;", lines);
        Assert.Contains("proxy_http_version 1.1;", lines);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", lines);
        Assert.Contains("proxy_set_header Connection $ws_supervisor_connection;", lines);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", lines);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", lines);
        Assert.Contains("proxy_read_timeout 60s;", lines); // 3 × 20 s
        Assert.Contains("listen 8443 ssl;", lines);
        Assert.Contains("--ping-interval=20", GeneratedConfig.ServerCommand(conf));
    }

    [Fact]
    public async Task Systemd_Unit_NotifyUserRuntimeDirectoryAndAnExecStartThatRuns()
    {
        string unit = GeneratedConfig.Print("systemd", "--port=8888", "--user=nobody", "--maxforks=50000", "--dir=worker-scripts");

        var lines = Lines(unit);
        foreach (string expected in new[]
        {
            "Type=notify", "User=nobody", "RuntimeDirectory=ws-supervisor", "RuntimeDirectoryPreserve=yes", "KillMode=mixed",
            "TimeoutStopSec=15", "Restart=on-failure", "LimitNOFILE=151024", "TasksMax=infinity", "WantedBy=multi-user.target",
        })
            Assert.Contains(expected, lines);

        // The ExecStart line starts this server (on port 0 and a run dir of the test's own).
        string execStart = lines.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        var words = execStart.Split(' ');
        Assert.Equal(Paths.Binary, words[0]);
        Assert.Contains("--run-dir=/run/ws-supervisor", words);
        Assert.Contains("--trusted-proxy=127.0.0.1", words);
        var args = words.Skip(1).Where(w => !w.StartsWith("--port=", StringComparison.Ordinal) && !w.StartsWith("--run-dir=", StringComparison.Ordinal));
        using var server = SupervisorProcess.Start(args);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await WsClient.AssertServerEchoesAsync(server.Url("/echo.sh"), cts.Token);
    }

    [Fact]
    public void Nginx_TlsFalse_PlainHttpOnly()
    {
        string conf = GeneratedConfig.Print("nginx", "--tls=false", "--dir=worker-scripts");

        Assert.Contains("listen 80;", Lines(conf));
        Assert.DoesNotContain(Lines(conf), l => l.Contains("443", StringComparison.Ordinal) || l.Contains("ssl", StringComparison.Ordinal));
    }

    [Fact]
    public void Apache_HtaccessFalse_ProxyPassForm()
    {
        string conf = GeneratedConfig.Print("apache", "--htaccess=false", "--dir=worker-scripts");

        Assert.Contains(Lines(conf), l => l.StartsWith("ProxyPass ", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines(conf), l => l.StartsWith("RewriteRule", StringComparison.Ordinal));
    }

    /// <summary>--origin is carried to the command line, and the server it starts enforces it.</summary>
    [Fact]
    public async Task Systemd_Origin_CarriedToExecStartAndEnforced()
    {
        string unit = GeneratedConfig.Print("systemd", "--origin=app.example", "--dir=worker-scripts");

        string execStart = Lines(unit).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        var words = execStart.Split(' ');
        Assert.Contains("--origin=app.example", words);
        var args = words.Skip(1).Where(w => !w.StartsWith("--port=", StringComparison.Ordinal) && !w.StartsWith("--run-dir=", StringComparison.Ordinal));
        using var server = SupervisorProcess.Start(args);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var refused = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/echo.sh", "Origin: http://other.example"), cts.Token);
        Assert.Equal("HTTP/1.1 403 Forbidden", refused.StatusLine);
        using var allowed = new System.Net.WebSockets.ClientWebSocket();
        allowed.Options.SetRequestHeader("Origin", "http://app.example");
        await allowed.ConnectAsync(server.Url("/echo.sh"), cts.Token);
        await allowed.AssertEchoesAsync("from the page's own origin", cts.Token);
    }

    private static List<string> Lines(string text) => text.Split('\n').Select(l => l.Trim()).ToList();
}
