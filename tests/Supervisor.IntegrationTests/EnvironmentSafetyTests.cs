using System.Text;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Nothing a client sends becomes an environment variable it should not: a header name
/// that is not an RFC 9110 token, or a value with a control character, is refused with
/// exactly 400 before any app starts; and what is accepted reaches the app byte for
/// byte, obs-text (0x80–0xFF) included. HTTP_PROXY and --passenv are covered in
/// <see cref="AppEnvironmentTests"/>.
/// </summary>
public sealed class EnvironmentSafetyTests(EnvironmentSafetyTests.Server server) : IClassFixture<EnvironmentSafetyTests.Server>
{
    /// <summary>An app that prints one variable as hex, so no byte is lost in a text message.</summary>
    private const string HexEnv = "printf '%s' \"${!1}\" | od -An -tx1 -v | tr -d ' \\n'; echo";

    public sealed class Server : IAsyncLifetime
    {
        public AppFolder Apps { get; } = new();
        public SupervisorProcess Process { get; private set; } = null!;
        public ClientWebSocket Held { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Apps.CopyScript("echo.sh").WriteScript("latin1.sh", "set -- HTTP_X_LATIN1\n" + HexEnv);
            Process = SupervisorProcess.Start($"--dir={Apps.Path}");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Held = await WsClient.ConnectAsync(Process.Url("/echo.sh"), cts.Token);
            await Held.AssertEchoesAsync("connected before any hostile header", cts.Token);
        }

        public Task DisposeAsync()
        {
            Held.Dispose();
            Process.Dispose();
            Apps.Dispose();
            return Task.CompletedTask;
        }
    }

    public static TheoryData<string, string> HostileHeaders => new()
    {
        // case, header line as sent (Latin-1)
        { "space in the name", "X Bad: v" },
        { "space before the colon", "X-Bad : v" },
        { "parenthesis in the name", "X(Bad): v" },
        { "slash in the name", "X/Bad: v" },
        { "at sign in the name", "X@Bad: v" },
        { "quote in the name", "X\"Bad: v" },
        { "non-ASCII in the name", "X-B\u00e9d: v" },
        { "control char in the name", "X-\u0001Bad: v" },
        { "empty name", ": v" },
        { "NUL in the value", "X-Bad: a\u0000b" },
        { "SOH in the value", "X-Bad: a\u0001b" },
        { "ESC in the value", "X-Bad: a\u001b[31mred" },
        { "bare CR in the value", "X-Bad: a\rb" },
        { "DEL in the value", "X-Bad: a\u007fb" },
        { "vertical tab in the value", "X-Bad: a\u000bb" },
        { "folded line (obs-fold)", "X-Bad: a\r\n b" },
        { "bare LF inside the head", "X-Bad: a\nX-Other: b" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public async Task Header_NotATokenOrControlCharacter_Exactly400AndHeldClientStillEchoes(string name, string header)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var response = await RawHttp.ExchangeAsync(server.Process.Port, RawHttp.UpgradeHead("/echo.sh", header), cts.Token);

        Assert.True(response.StatusLine == "HTTP/1.1 400 Bad Request", $"{name}: got \"{response.StatusLine}\"");
        await server.Held.AssertEchoesAsync($"still here after {name}", cts.Token);
    }

    [Fact]
    public async Task Header_ObsTextBytes_ReachTheAppByteForByte()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // "é" as one Latin-1 byte, then 0xFF, 0x80, and "é" in UTF-8 (0xC3 0xA9), then a tab inside.
        byte[] value = [(byte)'a', 0xE9, 0xFF, 0x80, 0xC3, 0xA9, (byte)'\t', (byte)'z'];
        string header = "X-Latin1: " + Encoding.Latin1.GetString(value);

        var (messages, status, _) = await Upgrades.ReadAllAsync(server.Process.Port, "/latin1.sh", [header], cts.Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal([Convert.ToHexString(value).ToLowerInvariant()], messages);
        await server.Held.AssertEchoesAsync("still here after obs-text", cts.Token);
    }
}
