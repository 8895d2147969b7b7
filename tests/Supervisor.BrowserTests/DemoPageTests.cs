using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Supervisor.BrowserTests.Browser;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.BrowserTests;

/// <summary>
/// The demo that `ws-supervisor` with no app shows (worker-scripts/ and its www/ page),
/// in two real Chromium tabs: the chat reaches both, the CLI's broadcast reaches both,
/// both come back by themselves after the server restarts, and neither ever shows an
/// uncaught error.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoPageTests
{
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Chat_TwoTabsBroadcastAndRestart_BothSeeEverythingAndReconnectByThemselves()
    {
        // No app and no --dir: the demo defaults (the helper adds only --port and --run-dir).
        using var first = SupervisorProcess.Start();
        int port = first.Port;
        await using var chromium = await Chromium.LaunchAsync();
        var alice = await OpenDemoAsync(chromium, port, "alice");
        var bob = await OpenDemoAsync(chromium, port, "bob");

        await SayAsync(alice, "hello from alice");
        await SeeAsync(alice, "said", "alice: hello from alice");
        await SeeAsync(bob, "said", "alice: hello from alice");
        await SayAsync(bob, "hi alice, bob here");
        await SeeAsync(alice, "said", "bob: hi alice, bob here");
        await SeeAsync(bob, "said", "bob: hi alice, bob here");

        var broadcast = SupervisorProcess.RunToExit(
            ["broadcast", $"--run-dir={first.RunDir}", "hello from the shell"], TimeSpan.FromSeconds(10));
        Assert.True(broadcast.ExitCode == 0, broadcast.Stderr);
        await SeeAsync(alice, "broadcast", "hello from the shell");
        await SeeAsync(bob, "broadcast", "hello from the shell");

        // The page's own boxes: the presence counts, and the bus paths turned into commands.
        await WaitForTextAsync(alice.Page.Locator("#presence-tabs"), "2");
        Assert.Contains(first.FifoPath, await alice.Page.Locator("#broadcast-fifo").TextContentAsync());
        Assert.Contains($"--run-dir={first.RunDir}", await alice.Page.Locator("#broadcast-cli").TextContentAsync());
        await WaitForTextAsync(alice.Page.Locator("#clock-time"), new Regex(@"^\d\d:\d\d:\d\d$"));

        await SaveTwoPageScreenshotAsync(chromium, alice, bob, "chat-two-pages.png");

        // Stop the acceptor (SIGTERM: workers close with 1001) and start it again on the
        // same port and run dir; the pages are not touched.
        DateTime down = DateTime.UtcNow;
        Assert.True(first.Signal(Signals.SIGTERM));
        Assert.NotNull(first.WaitForExit(TimeSpan.FromSeconds(15)));
        await WaitForStateAsync(alice, "chat", "reconnecting");
        await WaitForStateAsync(bob, "chat", "reconnecting");
        // Sent while down: queued by the client library, delivered after the reconnect.
        await SayAsync(alice, "sent while the server was down");
        await SeeAsync(alice, "notice", "(queued: sent when the connection is back)");
        await Task.Delay(1500); // a few refused attempts, so the backoff is exercised

        using var second = SupervisorProcess.Start([$"--run-dir={first.RunDir}"], port: port);
        foreach (var page in new[] { alice, bob })
        {
            foreach (string box in new[] { "chat", "clock", "presence" })
                await WaitForStateAsync(page, box, "open", ReconnectTimeout);
        }
        DateTime up = DateTime.UtcNow;
        await SeeAsync(alice, "said", "alice: sent while the server was down");
        await SeeAsync(alice, "notice", "Reconnected.");
        await SayAsync(bob, "bob again, after the restart");
        await SeeAsync(alice, "said", "bob: bob again, after the restart");
        await SeeAsync(bob, "said", "bob: bob again, after the restart");
        await SayAsync(alice, "alice again too");
        await SeeAsync(bob, "said", "alice: alice again too");

        await WaitForTextAsync(alice.Page.Locator("#presence-tabs"), "2");
        await WaitForTextAsync(bob.Page.Locator("#presence-tabs"), "2");
        await SaveTwoPageScreenshotAsync(chromium, alice, bob, "chat-two-pages-after-restart.png");

        // While the server was down, Chromium logs each refused attempt as a console
        // error; that message, for these three apps on this port, in that window, is the
        // only one allowed.
        var refused = new Regex(
            $@"^WebSocket connection to 'ws://127\.0\.0\.1:{port}/(chat\.sh\?name=(alice|bob)|clock\.sh|presence\.sh)' failed: " +
            @"(Error in connection establishment: )?net::ERR_CONNECTION_REFUSED$");
        alice.AssertNoProblems(refused, down, up);
        bob.AssertNoProblems(refused, down, up);
    }

    [Fact]
    public async Task Page_PhoneWidth_FitsWithoutSideScrolling()
    {
        using var server = SupervisorProcess.Start();
        await using var chromium = await Chromium.LaunchAsync();
        var phone = await chromium.NewPageAsync(375, 812);
        await phone.Page.GotoAsync($"http://127.0.0.1:{server.Port}/?name=carol");
        await WaitForStateAsync(phone, "chat", "open");
        await WaitForStateAsync(phone, "presence", "open");
        await SayAsync(phone, "a message from a phone-width window, long enough to wrap onto a second line");
        await SeeAsync(phone, "said", "carol: a message from a phone-width window");
        await WaitForTextAsync(phone.Page.Locator("#clock-time"), new Regex(@"^\d\d:\d\d:\d\d$"));
        await WaitForTextAsync(phone.Page.Locator("#broadcast-fifo"), new Regex("global\\.fifo"));

        int scrollWidth = await phone.Page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"the page is {scrollWidth} px wide in a 375 px window");
        await phone.Page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("demo-phone-375.png"), FullPage = true });
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task Progress_PhpJob_ReportsStepsThenClosesWithoutReconnecting()
    {
        using var server = SupervisorProcess.Start();
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await chromium.NewPageAsync();
        await tab.Page.GotoAsync($"http://127.0.0.1:{server.Port}/");
        await tab.Page.ClickAsync("#progress-start");
        await WaitForTextAsync(tab.Page.Locator("#progress-text"), new Regex(@"^Done: 20 steps in [\d.]+ s\. .* closed with 1000\.$"),
            TimeSpan.FromSeconds(20));
        Assert.Equal(100, await tab.Page.EvaluateAsync<double>("document.getElementById('progress-bar').value"));
        Assert.Equal("done", await tab.Page.Locator("#progress-state").GetAttributeAsync("data-state"));
        await Task.Delay(1500); // longer than the first reconnect delay could be
        var opened = server.StderrLines.Count(l => l.Contains("connection opened: /progress.php", StringComparison.Ordinal));
        Assert.Equal(1, opened);
        tab.AssertNoProblems();
    }

    /// <summary>--idle-timeout closes a quiet chat with 1000, which the client library takes
    /// as "finished": the page says so, and a line typed afterwards is not blamed on a full
    /// queue (it used to say "too many messages waiting").</summary>
    [Fact]
    public async Task Chat_ClosedByIdleTimeout_PageSaysSoAndWhyALaterLineIsNotSent()
    {
        using var server = SupervisorProcess.Start("--idle-timeout=2");
        await using var chromium = await Chromium.LaunchAsync();
        var tab = await OpenDemoAsync(chromium, server.Port, "dora");

        await WaitForStateAsync(tab, "chat", "closed", TimeSpan.FromSeconds(15));
        await SeeAsync(tab, "notice", "Closed by the server after a quiet spell (--idle-timeout)");
        await SayAsync(tab, "anyone still here?");
        await SeeAsync(tab, "notice", "(not sent: the connection is closed; reload the page to rejoin)");
        Assert.Equal(0, await tab.Page.Locator("#chat-log li.notice", new() { HasText = "too many messages" }).CountAsync());
        tab.AssertNoProblems();
    }

    private static async Task<TrackedPage> OpenDemoAsync(Chromium chromium, int port, string name)
    {
        var tab = await chromium.NewPageAsync();
        await tab.Page.GotoAsync($"http://127.0.0.1:{port}/?name={name}");
        foreach (string box in new[] { "chat", "clock", "presence" })
            await WaitForStateAsync(tab, box, "open");
        await SeeAsync(tab, "notice", $"Joined as {name}.");
        return tab;
    }

    private static async Task SayAsync(TrackedPage tab, string text)
    {
        await tab.Page.FillAsync("#chat-input", text);
        await tab.Page.PressAsync("#chat-input", "Enter");
    }

    /// <summary>Waits for a chat line of that class whose text contains <paramref name="text"/>.</summary>
    private static Task SeeAsync(TrackedPage tab, string kind, string text) =>
        tab.Page.Locator($"#chat-log li.{kind}", new() { HasText = text }).First
            .WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });

    private static Task WaitForStateAsync(TrackedPage tab, string box, string state, TimeSpan? timeout = null) =>
        tab.Page.Locator($"#{box}-state[data-state=\"{state}\"]")
            .WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = (float)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds });

    private static Task WaitForTextAsync(ILocator locator, string text) =>
        WaitForTextAsync(locator, new Regex($"^{Regex.Escape(text)}$"));

    private static async Task WaitForTextAsync(ILocator locator, Regex pattern, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await locator.TextContentAsync();
            if (last is not null && pattern.IsMatch(last.Trim()))
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"{locator} never matched /{pattern}/; last text: \"{last}\"");
    }

    /// <summary>Both tabs side by side in one picture (composed by Chromium itself), so
    /// one look shows that both saw the same conversation.</summary>
    private static async Task SaveTwoPageScreenshotAsync(Chromium chromium, TrackedPage left, TrackedPage right, string name)
    {
        byte[] a = await left.Page.ScreenshotAsync();
        byte[] b = await right.Page.ScreenshotAsync();
        var sheet = await chromium.NewPageAsync(2220, 930);
        await sheet.Page.SetContentAsync(
            "<body style='margin:0;background:#888;display:flex;gap:20px;padding:15px'>" +
            $"<img style='width:1090px' src='data:image/png;base64,{Convert.ToBase64String(a)}'>" +
            $"<img style='width:1090px' src='data:image/png;base64,{Convert.ToBase64String(b)}'></body>");
        await sheet.Page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath(name) });
        await sheet.Page.CloseAsync();
    }
}
