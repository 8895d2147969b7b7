using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --auth: the program's exit decides each upgrade (0 + id → that user; other exit →
/// 403 with its first line; timeout, crash or no id → 503), it runs beside the accept
/// loop rather than in it, and connections already open carry on.
/// </summary>
public sealed class AuthTests
{
    private static string AuthFixture => Paths.Fixture("auth-by-query.sh");

    private static SupervisorProcess StartWithAuth(string app, params string[] flags) =>
        SupervisorProcess.Start([$"--auth={AuthFixture}", .. flags, Paths.Script(app)]);

    private static async Task<Dictionary<string, string>> EnvOfAsync(ClientWebSocket client, CancellationToken cancellation)
    {
        var (messages, status) = await client.ReceiveUntilCloseAsync(cancellation);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        return messages.Select(m => Regex.Match(m, "^([^=]+)=(.*)$", RegexOptions.Singleline))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    [Fact]
    public async Task Auth_ExitZeroWithUserId_AppSeesRemoteUserAndWsUser()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("env.sh");

        using var client = await WsClient.ConnectAsync(server.Url("/?user=alice"), cts.Token);
        var env = await EnvOfAsync(client, cts.Token);

        Assert.Equal("alice", env.GetValueOrDefault("REMOTE_USER"));
        Assert.Equal("alice", env.GetValueOrDefault("WS_USER"));
    }

    [Fact]
    public async Task Auth_OutputPastFourKiB_DrainedAndItsExitStillDecides()
    {
        // Only 4 KiB are kept; closing the socket there killed the program with SIGPIPE
        // mid-write, and the client got 503 instead of the program's answer.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("env.sh");

        using var client = await WsClient.ConnectAsync(server.Url("/?chatty"), cts.Token);
        var env = await EnvOfAsync(client, cts.Token);

        Assert.Equal("erin", env.GetValueOrDefault("REMOTE_USER"));
    }

    [Fact]
    public async Task Auth_NonZeroExit_403WithItsFirstLineAndOthersCarryOn()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh");
        using var connected = await WsClient.ConnectAsync(server.Url("/?user=bob"), cts.Token);
        await connected.AssertEchoesAsync("before", cts.Token);

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/?deny"), cts.Token);

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
        Assert.Equal("Not allowed. no entry: you are on the list\n", response.Body);
        Assert.Single(server.ServingWorkers());
        await connected.AssertEchoesAsync("after", cts.Token);
    }

    [Theory]
    [InlineData("/?crash", "killed by signal 11")]              // kill -SEGV $$
    [InlineData("/?noid", "without a valid user id")]           // exit 0, nothing printed
    [InlineData("/?spaced", "a user id with whitespace")]       // "has space": send user could not name it
    [InlineData("/?latin1", "a user id that is not UTF-8")]     // "caf\351"
    public async Task Auth_CrashOrNoUserId_503AndALogLine(string target, string logPart)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh");
        using var connected = await WsClient.ConnectAsync(server.Url("/?user=bob"), cts.Token);

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead(target), cts.Token);

        Assert.Equal("HTTP/1.1 503 Service Unavailable", response.StatusLine);
        Assert.Equal("Authentication is unavailable right now; retry later.\n", response.Body);
        await server.WaitForLogAsync(new Regex($"auth failed for .* {Regex.Escape(target)}: .*{Regex.Escape(logPart)}"), TimeSpan.FromSeconds(5));
        await connected.AssertEchoesAsync("after", cts.Token);
    }

    [Fact]
    public async Task Auth_Timeout_503AndTheProgramsWholeGroupKilled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh", "--auth-timeout=1");
        using var connected = await WsClient.ConnectAsync(server.Url("/?user=bob"), cts.Token);

        var clock = Stopwatch.StartNew();
        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/?hang"), cts.Token);

        Assert.Equal("HTTP/1.1 503 Service Unavailable", response.StatusLine);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new Regex(@"auth failed for .*/\?hang: .* did not answer within 1 s"), TimeSpan.FromSeconds(5));
        // The script's own child (sleep 3600 &) held its stdout: it must be gone too.
        Assert.True(await WaitAsync(() => SleepersUnder(server) == 0, TimeSpan.FromSeconds(5)),
            "the auth program's child survived the timeout");
        await connected.AssertEchoesAsync("after", cts.Token);
    }

    [Fact]
    public async Task Auth_FiveProgramsHanging_OtherConnectionsConnectAndEchoAtOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = StartWithAuth("echo.sh", "--auth-timeout=60");
        var hanging = new List<Socket>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);
                hanging.Add(socket);
                await socket.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead($"/?hang")), SocketFlags.None, cts.Token);
            }
            Assert.True(await WaitAsync(() => SleepersUnder(server) == 5, TimeSpan.FromSeconds(10)),
                $"expected 5 auth programs hanging, found {SleepersUnder(server)}");

            for (int i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                using var client = await WsClient.ConnectAsync(server.Url($"/?user=u{i}"), cts.Token);
                await client.AssertEchoesAsync($"not waiting on the others {i}", cts.Token);
                await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"client {i} took {clock.Elapsed}");
            }

            Assert.Equal(5, SleepersUnder(server)); // still hanging, still unanswered
            Assert.All(hanging, s => Assert.Equal(0, s.Available));
        }
        finally
        {
            hanging.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Auth_DeniedClientStillConnected_ItsSlotIsFreeForTheNextUpgrade()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh", "--maxforks=1");

        // The refused client reads its 403 and keeps its socket open, so the server's
        // lingering close (up to a second) is still running when the next upgrade comes.
        using var denied = await RawHttp.ConnectAsync(server.Port, cts.Token);
        await denied.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/?deny")), SocketFlags.None, cts.Token);
        var refusal = await RawHttp.ReadHeadAsync(denied, cts.Token);
        Assert.Equal("HTTP/1.1 403 Forbidden", refusal.StatusLine);

        await WsClient.AssertServerEchoesAsync(server.Url("/?user=bob"), cts.Token);
    }

    [Fact]
    public async Task Auth_MaxPerUser_SecondConnectionOfTheUserGetsRetryLater_OtherUsersServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh", "--max-per-user=1");
        using var alice = await WsClient.ConnectAsync(server.Url("/?user=alice"), cts.Token);
        await alice.AssertEchoesAsync("alice's one connection", cts.Token);

        await RawFrames.AssertRetryLaterAsync(server.Port, RawHttp.UpgradeHead("/?user=alice"), "for this user", cts.Token);

        await WsClient.AssertServerEchoesAsync(server.Url("/?user=bob"), cts.Token);
        await alice.AssertEchoesAsync("alice untouched", cts.Token);
        await alice.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await WsClient.AssertServerEchoesSoonAsync(server.Url("/?user=alice"), TimeSpan.FromSeconds(5), cts.Token); // her slot came back
    }

    [Fact]
    public async Task Auth_MaxPerUserWithLimitResponseHttp_429WithRetryAfter()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = StartWithAuth("echo.sh", "--max-per-user=1", "--limit-response=http");
        using var alice = await WsClient.ConnectAsync(server.Url("/?user=alice"), cts.Token);

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/?user=alice"), cts.Token);

        Assert.Equal("HTTP/1.1 429 Too Many Requests", response.StatusLine);
        Assert.Equal("1", response.Header("Retry-After"));
        await alice.AssertEchoesAsync("alice untouched", cts.Token);
    }

    /// <summary>worker-scripts/auth-php-session.php against a real PHP session store: a
    /// session created by php-cli exactly as a login page would create it.</summary>
    [Fact]
    public async Task AuthPhpSession_CookieOfALoggedInSession_AcceptedAsItsUser_OthersRefused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var root = Directory.CreateTempSubdirectory("ws-php-session-");
        try
        {
            string store = Directory.CreateDirectory(Path.Combine(root.FullName, "store")).FullName;
            string ini = Directory.CreateDirectory(Path.Combine(root.FullName, "ini")).FullName;
            File.WriteAllText(Path.Combine(ini, "zz-session.ini"), $"session.save_path={store}\n");
            // ":" first: PHP's own scan dir, then ours (so the session extension's ini stays).
            var phpEnvironment = new Dictionary<string, string> { ["PHP_INI_SCAN_DIR"] = ":" + ini };
            string loggedIn = RunPhp("session_start(); $_SESSION['user_id'] = 42; echo session_id();", phpEnvironment);
            string anonymous = RunPhp("session_start(); $_SESSION['cart'] = [1]; echo session_id();", phpEnvironment);
            Assert.Matches("^[A-Za-z0-9,-]+$", loggedIn);

            using var server = SupervisorProcess.Start(
                [$"--auth={Paths.Script("auth-php-session.php")}", "--passenv=PATH,PHP_INI_SCAN_DIR", "--dir=worker-scripts"],
                phpEnvironment);
            using var connected = new ClientWebSocket();
            connected.Options.SetRequestHeader("Cookie", $"PHPSESSID={loggedIn}");
            await connected.ConnectAsync(server.Url("/echo.sh"), cts.Token);
            await connected.AssertEchoesAsync("logged in", cts.Token);

            using (var client = new ClientWebSocket())
            {
                client.Options.SetRequestHeader("Cookie", $"theme=dark; PHPSESSID={loggedIn}");
                await client.ConnectAsync(server.Url("/env.sh"), cts.Token);
                var env = await EnvOfAsync(client, cts.Token);
                Assert.Equal("42", env.GetValueOrDefault("REMOTE_USER"));
                Assert.Equal("42", env.GetValueOrDefault("WS_USER"));
            }

            (string? cookie, string body)[] refused =
            [
                (null, "not logged in (no session cookie)"),
                ($"PHPSESSID={anonymous}", "not logged in"),
                ("PHPSESSID=madeup0123456789abcdef", "not logged in (no such session)"),
                ("PHPSESSID=../../../etc/passwd", "not logged in (malformed session id)"),
            ];
            foreach (var (cookie, body) in refused)
            {
                string request = cookie is null ? RawHttp.UpgradeHead("/echo.sh") : RawHttp.UpgradeHead("/echo.sh", $"Cookie: {cookie}");
                var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);
                Assert.True(response.StatusLine == "HTTP/1.1 403 Forbidden", $"{cookie}: {response.StatusLine} {response.Body}");
                Assert.Equal($"Not allowed. {body}\n", response.Body);
            }

            // A made-up id left no empty session behind, and the real one is as PHP wrote it.
            Assert.Equal(
                new[] { $"sess_{anonymous}", $"sess_{loggedIn}" }.Order(),
                Directory.GetFiles(store).Select(Path.GetFileName).Order());
            Assert.Equal("user_id|i:42;", File.ReadAllText(Path.Combine(store, $"sess_{loggedIn}")));
            await connected.AssertEchoesAsync("the logged-in user's connection carries on", cts.Token);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static string RunPhp(string code, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("php") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-r");
        info.ArgumentList.Add(code);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        using var php = Process.Start(info) ?? throw new InvalidOperationException("php-cli did not start");
        string output = php.StandardOutput.ReadToEnd();
        string errors = php.StandardError.ReadToEnd();
        Assert.True(php.WaitForExit(TimeSpan.FromSeconds(20)), "php-cli did not finish");
        Assert.True(php.ExitCode == 0, $"php-cli failed ({php.ExitCode}): {errors}");
        return output.Trim();
    }

    /// <summary>The auth fixture's "hang" children (sleep 3600) under this server.</summary>
    private static int SleepersUnder(SupervisorProcess server) =>
        ProcTree.Descendants(server.Pid).Count(p => ProcTree.CommandLine(p.Pid) == "sleep 3600");

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50);
        }
        return true;
    }
}
