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
    [InlineData(new[] { "config", "systemd", "--executable", "--dir=worker-scripts" }, "--executable needs a value (--executable=PATH or --executable PATH)")]
    [InlineData(new[] { "config", "systemd", "--executable=" }, "--executable= is empty (an unset variable?): give PATH")]
    [InlineData(new[] { "config", "systemd", "--executable=/nonexistent/ws-supervisor" }, "--executable=/nonexistent/ws-supervisor: No such file")]
    [InlineData(new[] { "config", "systemd", "--binary=/usr/local/bin/myapp.sh" }, "--binary=/usr/local/bin/myapp.sh: expected true or false (--binary is the server's binary mode; the ws-supervisor executable is --executable=PATH)")]
    [InlineData(new[] { "config", "nginx", "--tls=maybe" }, "--tls=maybe: expected true or false")]
    [InlineData(new[] { "config", "apache", "--htaccess=maybe" }, "--htaccess=maybe: expected true or false")]
    [InlineData(new[] { "config", "nginx", "--origin=," }, "--origin=, names no origin")]
    [InlineData(new[] { "config", "systemd", "--sameorigin" }, "--sameorigin is a server option that config does not carry (it carries --port,")]
    [InlineData(new[] { "config", "nginx", "--sameorigin" }, "--maxforks, --origin, --binary): add it to the ws-supervisor command line it prints by hand")]
    // What the server would refuse, refused with the server's own line, so the unit starts.
    [InlineData(new[] { "config", "systemd", "--trusted-proxy=10.0.0.1/8" }, "--trusted-proxy: \"10.0.0.1/8\" has address bits set past the /8 prefix")]
    [InlineData(new[] { "config", "nginx", "--trusted-proxy=1.2.3.4.5" }, "--trusted-proxy: \"1.2.3.4.5\" is not an IP address or CIDR block")]
    [InlineData(new[] { "config", "nginx", "--trusted-proxy=::::" }, "--trusted-proxy: \"::::\" is not an IP address")]
    [InlineData(new[] { "config", "nginx", "--trusted-proxy=127.1" }, "--trusted-proxy: \"127.1\" is not an IP address")]
    [InlineData(new[] { "config", "nginx", "--trusted-proxy=0127.0.0.1" }, "--trusted-proxy: \"0127.0.0.1\" is not an IP address")]
    [InlineData(new[] { "config", "apache", "--trusted-proxy=1.2.3.4/33" }, "--trusted-proxy: \"1.2.3.4/33\": the prefix length must be 0 to 32")]
    [InlineData(new[] { "config", "systemd", "--trusted-proxy=, ," }, "--trusted-proxy=, , names no proxy")]
    [InlineData(new[] { "config", "systemd", "--run-dir=/run/ws-supervisor-run-folder-whose-name-is-long-enough-that-its-control-socket-path-is-over-107-bytes" },
        "control.sock would be 115 bytes long, and a unix socket path holds at most 107")]
    [InlineData(new[] { "config", "nginx", "--dir=/nonexistent" }, "--dir=/nonexistent: no such directory")]
    [InlineData(new[] { "config", "systemd", "/nonexistent/app.sh" }, "/nonexistent/app.sh: no such file")]
    // The server's grammar: one dash is a flag too, and a value flag never takes the next --flag.
    [InlineData(new[] { "config", "nginx", "-p", "80" }, "unknown option --p (see ws-supervisor config --help)")]
    [InlineData(new[] { "config", "nginx", "--port", "--dir=/x" }, "--port needs a value (--port=VALUE or --port VALUE)")]
    [InlineData(new[] { "config", "systemd", "/bin/echo", "%s $HOME \"a b\"" },
        "a COMMAND word may not hold quotes, backslashes or control characters (the printed command line cannot carry them): %s $HOME \"a b\"")]
    // A flag the output would not show is refused, not ignored.
    [InlineData(new[] { "config", "apache", "--htaccess", "--tls" }, "--tls does not apply to 'config apache --htaccess'")]
    [InlineData(new[] { "config", "apache", "--htaccess", "--server-name=example.org" }, "--server-name does not apply to 'config apache --htaccess'")]
    [InlineData(new[] { "config", "apache", "--htaccess", "--proxy-port=81" }, "--proxy-port does not apply to 'config apache --htaccess'")]
    [InlineData(new[] { "config", "apache", "--htaccess", "--tls-port=8443" }, "--tls-port does not apply to 'config apache --htaccess'")]
    [InlineData(new[] { "config", "apache", "--htaccess", "--key=/y.key" }, "--key does not apply to 'config apache --htaccess'")]
    [InlineData(new[] { "config", "apache", "--cert=/x.pem", "--key=/y.key" }, "--cert needs --tls or --tls-port")]
    [InlineData(new[] { "config", "nginx", "--tls=false", "--key=/y.key" }, "--key needs --tls or --tls-port")]
    // Configs the proxy itself would refuse, or that could not both bind.
    [InlineData(new[] { "config", "nginx", "--proxy-port=8443", "--tls-port=8443" }, "--proxy-port=8443 and --tls-port=8443 are the same socket")]
    [InlineData(new[] { "config", "apache", "--proxy-port=8443", "--tls-port=127.0.0.1:8443" }, "--proxy-port=8443 and --tls-port=127.0.0.1:8443 are the same socket")]
    [InlineData(new[] { "config", "apache", "--port=8081", "--proxy-port=8081" }, "--proxy-port=8081 is where ws-supervisor listens itself (--port=8081)")]
    [InlineData(new[] { "config", "nginx", "--port=80" }, "the proxy's default port 80 (--proxy-port) is where ws-supervisor listens itself (--port=80)")]
    [InlineData(new[] { "config", "nginx", "--port=443", "--tls" }, "--tls (port 443) is where ws-supervisor listens itself (--port=443)")]
    [InlineData(new[] { "config", "nginx", "--server-name=www.*.org" }, "--server-name=www.*.org: not a host name (a wildcard goes in front only")]
    [InlineData(new[] { "config", "nginx", "--public-path=/../" }, "--public-path=/../: empty, \".\" and \"..\" segments are not allowed")]
    [InlineData(new[] { "config", "apache", "--public-path=//" }, "--public-path=//: empty, \".\" and \"..\" segments are not allowed")]
    [InlineData(new[] { "config", "nginx", "--public-path=/ws/./x" }, "--public-path=/ws/./x: empty, \".\" and \"..\" segments are not allowed")]
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

    /// <summary>--binary is what it is to the server (websocketd's binary mode), carried to
    /// ExecStart=; the executable that line starts is --executable.</summary>
    [Fact]
    public async Task Systemd_BinaryAndExecutable_ModeCarriedAndExecutableStartsTheLine()
    {
        string unit = GeneratedConfig.Print("systemd", "--binary", $"--executable={Paths.Binary}", Paths.Script("binary-cat.sh"));

        var words = Lines(unit).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');
        Assert.Equal(Paths.Binary, words[0]);
        Assert.Contains("--binary", words);
        Assert.Equal(Paths.Script("binary-cat.sh"), words[^1]);
        var args = words.Skip(1).Where(w => !w.StartsWith("--port=", StringComparison.Ordinal) && !w.StartsWith("--run-dir=", StringComparison.Ordinal));
        using var server = SupervisorProcess.Start(args);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var client = await WsClient.ConnectAsync(server.Url("/bytes"), cts.Token);
        await client.SendTextAsync("raw\n", cts.Token);
        var buffer = new byte[64];
        var reply = await client.ReceiveAsync(buffer, cts.Token);
        Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Binary, reply.MessageType);
    }

    /// <summary>Without --dir, the demo installed beside the executable, named by its absolute
    /// path, even where config runs in a folder with its own worker-scripts/ (the repository:
    /// the tests' working folder).</summary>
    [Fact]
    public void Systemd_NoDir_TheInstalledDemoNotTheWorkingFoldersOne()
    {
        Assert.True(Directory.Exists(Path.Combine(Paths.RepoRoot, "worker-scripts")));
        string installed = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Paths.Binary)!, "..", "share", "ws-supervisor", "worker-scripts"));

        string unit = GeneratedConfig.Print("systemd");

        var words = Lines(unit).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal)).Split(' ');
        Assert.Equal($"--dir={installed}", words[^1]);
    }

    private static List<string> Lines(string text) => text.Split('\n').Select(l => l.Trim()).ToList();
}
