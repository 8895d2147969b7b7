using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Supervisor.BrowserTests.Browser;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.BrowserTests;

/// <summary>
/// /ws-supervisor.js in Chromium, checked against what docs/client.md promises: after the
/// n-th failure in a row the wait is uniform in [500 ms, min(30 s, 500 ms · 2^n)], or
/// [5 s, min(30 s, 5 s · 2^n)] after a 1013 or 1008; a refused connection is a failure
/// like any other; 1000 ends the client unless reconnectOnNormalClose. Each page records
/// the moment of every attempt by wrapping the browser's WebSocket constructor, so the
/// gaps are measured outside the library, not taken from it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ClientLibraryTests
{
    private const int Base = 500, SlowBase = 5000, Cap = 30_000;

    // What a loaded machine may add to a wait (the browser's timer, the attempt itself);
    // never subtracted: no gap may be shorter than its floor.
    private const double Slack = 1500;

    private const string Harness = """
        <!doctype html><meta charset="utf-8"><title>ws-supervisor.js harness</title>
        <link rel="icon" href="data:,">
        <script>
          window.attempts = [];
          window.closes = {};
          window.received = {};
          const NativeWebSocket = window.WebSocket;
          window.WebSocket = class extends NativeWebSocket {
            constructor(url, protocols) {
              super(url, protocols);
              window.attempts.push({ url: this.url, at: performance.now() });
            }
          };
          // A client whose closes and messages are kept under `name`.
          window.track = (name, url, options) => {
            window.closes[name] = [];
            window.received[name] = [];
            window[name] = new WsSupervisor(url, Object.assign({
              onClose: (e) => window.closes[name].push(e),
              onMessage: (m) => window.received[name].push(m),
            }, options || {}));
          };
          window.attemptsAt = (prefix) => window.attempts.filter((a) => a.url.startsWith(prefix)).map((a) => a.at);
        </script>
        <script src="/ws-supervisor.js"></script>
        """;

    [Fact]
    public async Task Backoff_ServerDown_AttemptsSpacedAsDocumentedNoneFaster()
    {
        using var server = HarnessServer.Start();
        // Bound but never listening: every connection to it is refused at once.
        using var reserved = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        reserved.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int closedPort = ((IPEndPoint)reserved.LocalEndPoint!).Port;
        string url = $"ws://127.0.0.1:{closedPort}/nobody";
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await OpenHarnessAsync(chromium, server.Port);

        await tab.Page.EvaluateAsync("url => track('down', url)", url);
        await Task.Delay(TimeSpan.FromSeconds(12));
        double[] attempts = await tab.Page.EvaluateAsync<double[]>("url => attemptsAt(url)", url);
        var closes = await ClosesAsync(tab, "down");
        Assert.Equal("reconnecting", await tab.Page.EvaluateAsync<string>("down.state"));

        // Ceilings 1, 2, 4 s: by 12 s at least 4 attempts; floors of 0.5 s: at most 25.
        Assert.InRange(attempts.Length, 4, 25);
        Assert.True(closes.Count >= attempts.Length - 1);
        for (int n = 1; n < attempts.Length; n++)
        {
            double gap = attempts[n] - attempts[n - 1];
            double ceiling = Math.Min(Cap, Base * Math.Pow(2, n));
            var close = closes[n - 1];
            Assert.Equal(1006, close.Code); // refused: no close frame
            Assert.True(close.WillReconnect);
            Assert.InRange(close.DelayMs, Base, ceiling);
            Assert.True(gap >= close.DelayMs - 1, $"attempt {n + 1} came {gap:F0} ms after the last, before its {close.DelayMs} ms wait");
            Assert.True(gap >= Base - 1, $"attempt {n + 1} came only {gap:F0} ms after the last");
            Assert.True(gap <= ceiling + Slack, $"attempt {n + 1} came {gap:F0} ms after the last, over the {ceiling} ms ceiling");
        }
        // Full jitter: the waits are drawn, not fixed.
        Assert.True(closes.Select(c => c.DelayMs).Distinct().Count() > 1, "every wait was the same");

        // close() stops it for good.
        await tab.Page.EvaluateAsync("down.close()");
        Assert.Equal("closed", await tab.Page.EvaluateAsync<string>("down.state"));
        int before = (await tab.Page.EvaluateAsync<double[]>("url => attemptsAt(url)", url)).Length;
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(before, (await tab.Page.EvaluateAsync<double[]>("url => attemptsAt(url)", url)).Length);

        tab.AssertNoProblems(Refused(closedPort, "/nobody"), DateTime.MinValue, DateTime.MaxValue);
    }

    [Fact]
    public async Task NormalClose_AppFinished_NoReconnectUnlessAsked()
    {
        using var server = HarnessServer.Start();
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await OpenHarnessAsync(chromium, server.Port);

        // count.sh sends 1 to 10 in a second and exits 0: the server closes with 1000.
        // Relative URLs resolve against the page, http → ws.
        await tab.Page.EvaluateAsync("() => { track('plain', '/count.sh?plain'); track('again', '/count.sh?again', { reconnectOnNormalClose: true }); }");
        await Task.Delay(TimeSpan.FromSeconds(4));

        string prefix = $"ws://127.0.0.1:{server.Port}/count.sh?";
        Assert.Single(await tab.Page.EvaluateAsync<double[]>("p => attemptsAt(p)", prefix + "plain"));
        Assert.Equal("closed", await tab.Page.EvaluateAsync<string>("plain.state"));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString()), await tab.Page.EvaluateAsync<string[]>("received.plain"));
        var plainClose = Assert.Single(await ClosesAsync(tab, "plain"));
        Assert.Equal(1000, plainClose.Code);
        Assert.False(plainClose.WillReconnect);

        double[] again = await tab.Page.EvaluateAsync<double[]>("p => attemptsAt(p)", prefix + "again");
        Assert.True(again.Length >= 2, $"reconnectOnNormalClose: {again.Length} attempt(s) in 4 s");
        Assert.True(again[1] - again[0] >= 1000 + Base - 1, "the second run began before the first could end and its wait pass");
        var againClose = (await ClosesAsync(tab, "again"))[0];
        Assert.Equal(1000, againClose.Code);
        Assert.True(againClose.WillReconnect);
        await tab.Page.EvaluateAsync("again.close()");

        // A message sent after the end is refused, not queued for ever.
        Assert.False(await tab.Page.EvaluateAsync<bool>("plain.send('late')"));
        tab.AssertNoProblems();
    }

    [Fact]
    public async Task SlowCloseCodes_1013And1008_WaitFromFiveSecondsWhile1011RetriesSoon()
    {
        using var server = HarnessServer.Start();
        using var tryLater = new CloseCodeServer(1013);
        using var policy = new CloseCodeServer(1008);
        using var error = new CloseCodeServer(1011);
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await OpenHarnessAsync(chromium, server.Port);

        await tab.Page.EvaluateAsync(
            "ports => { track('tryLater', `ws://127.0.0.1:${ports[0]}/`); track('policy', `ws://127.0.0.1:${ports[1]}/`); track('error', `ws://127.0.0.1:${ports[2]}/`); }",
            new[] { tryLater.Port, policy.Port, error.Port });

        // The second attempt of each slow client comes 5 to 10 s after the first.
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(2 * SlowBase + Slack + 1000);
        while (DateTime.UtcNow < deadline && (tryLater.Accepted.Count < 2 || policy.Accepted.Count < 2))
            await Task.Delay(100);

        foreach (var (name, port, code) in new[] { ("tryLater", tryLater.Port, 1013), ("policy", policy.Port, 1008) })
        {
            double[] attempts = await tab.Page.EvaluateAsync<double[]>("p => attemptsAt(p)", $"ws://127.0.0.1:{port}/");
            Assert.True(attempts.Length >= 2, $"{code}: only {attempts.Length} attempt(s)");
            double gap = attempts[1] - attempts[0];
            Assert.True(gap >= SlowBase - 1, $"{code}: retried after {gap:F0} ms, under {SlowBase} ms");
            Assert.True(gap <= 2 * SlowBase + Slack, $"{code}: retried after {gap:F0} ms");
            var close = (await ClosesAsync(tab, name))[0];
            Assert.Equal(code, close.Code);
            Assert.InRange(close.DelayMs, SlowBase, 2 * SlowBase);
        }

        // Any other code takes the ordinary waits: the first within [0.5 s, 1 s].
        double[] quick = await tab.Page.EvaluateAsync<double[]>("p => attemptsAt(p)", $"ws://127.0.0.1:{error.Port}/");
        Assert.True(quick.Length >= 3, $"1011: only {quick.Length} attempts in the same time");
        Assert.InRange(quick[1] - quick[0], Base - 1, 2 * Base + Slack);
        Assert.Equal(1011, (await ClosesAsync(tab, "error"))[0].Code);

        await tab.Page.EvaluateAsync("() => { tryLater.close(); policy.close(); error.close(); }");
        tab.AssertNoProblems();
    }

    [Fact]
    public async Task Module_ImportFromMjs_SameClassAsTheScript()
    {
        using var server = HarnessServer.Start();
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await OpenHarnessAsync(chromium, server.Port);

        bool same = await tab.Page.EvaluateAsync<bool>(
            "async () => { const m = await import('/ws-supervisor.mjs'); return typeof m.WsSupervisor === 'function' && m.default === m.WsSupervisor; }");

        Assert.True(same);
        var range = await tab.Page.EvaluateAsync<int[]>("WsSupervisor.delayRange(3, 1006)");
        Assert.Equal([Base, 4 * 1000], range);
        tab.AssertNoProblems();
    }

    /// <summary>ws-supervisor serving worker-scripts/ and, from a temporary --staticdir, the harness page.</summary>
    private sealed class HarnessServer
    {
        public const string PageName = "harness.html";

        public static SupervisorProcess Start()
        {
            string dir = Path.Combine(Paths.RepoRoot, "artifacts", "browser-harness");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, PageName), Harness);
            return SupervisorProcess.Start($"--dir={Paths.WorkerScripts}", $"--staticdir={dir}");
        }
    }

    private sealed record Close(int Code, bool WillReconnect, int DelayMs);

    private static async Task<List<Close>> ClosesAsync(TrackedPage tab, string name)
    {
        string json = await tab.Page.EvaluateAsync<string>("name => JSON.stringify(closes[name])", name);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(c => new Close(
            c.GetProperty("code").GetInt32(), c.GetProperty("willReconnect").GetBoolean(), c.GetProperty("delayMs").GetInt32())).ToList();
    }

    /// <summary>The harness page, from the server under test (with /ws-supervisor.js). A real
    /// server, not Playwright's request routing: Chromium's Local Network Access checks block
    /// a page fulfilled by routing from opening sockets to 127.0.0.1.</summary>
    private static async Task<TrackedPage> OpenHarnessAsync(Chromium chromium, int port)
    {
        var tab = await chromium.NewPageAsync();
        await tab.Page.GotoAsync($"http://127.0.0.1:{port}/{HarnessServer.PageName}");
        Assert.Equal("function", await tab.Page.EvaluateAsync<string>("typeof WsSupervisor"));
        return tab;
    }

    private static Regex Refused(int port, string path) => new(
        $@"^WebSocket connection to 'ws://127\.0\.0\.1:{port}{Regex.Escape(path)}' failed: " +
        @"(Error in connection establishment: )?net::ERR_CONNECTION_REFUSED$");
}
