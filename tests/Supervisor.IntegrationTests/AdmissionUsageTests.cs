using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>The admission flags are checked once, at startup: a bad value is one line
/// naming the flag and exit 2, never a surprise at the first connection.</summary>
public sealed class AdmissionUsageTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("--origin=http://", "--origin=http://")]
    [InlineData("--origin=example.com:http", "example.com:http")]
    [InlineData("--origin=::1", "::1")]
    [InlineData("--sameorigin=yes", "--sameorigin=yes")]
    [InlineData("--max-per-ip=-1", "--max-per-ip=-1")]
    [InlineData("--max-per-user=many", "--max-per-user=many")]
    [InlineData("--max-spawn-rate=1.5", "--max-spawn-rate=1.5")]
    [InlineData("--limit-response=503", "--limit-response=503")]
    [InlineData("--idle-timeout=forever", "--idle-timeout=forever")]
    [InlineData("--max-per-user=2", "--max-per-user needs --auth")]
    // --origin entries that could never equal an Origin a browser sends: each was accepted,
    // and the server then refused everyone it was meant to let in.
    [InlineData("--origin=b\u00fccher.example", "--origin=b\u00fccher.example: browsers send international host names in punycode: give xn--bcher-kva.example")]
    [InlineData("--origin=*.example.com", "--origin=*.example.com: wildcards are not supported")]
    [InlineData("--origin=null", "--origin=null: \"null\" is the opaque origin")]
    [InlineData("--origin=a b", "--origin=a b: not a host name")]
    [InlineData("--origin=https://app.example.com/path", "--origin=https://app.example.com/path: an origin has no path, query or fragment: give https://app.example.com")]
    [InlineData("--auth-timeout=10", "--auth-timeout needs --auth")]
    [InlineData("--passenv=*", "--passenv=*: \"*\" is not a variable name")]
    [InlineData("--passenv=PATH,A=B", "--passenv=PATH,A=B: \"A=B\" is not a variable name")]
    [InlineData("--passenv=1X", "--passenv=1X: \"1X\" is not a variable name")]
    public void Usage_BadAdmissionValue_ExitTwoWithOneLineNamingIt(string flag, string named)
    {
        var (code, stdout, stderr) = SupervisorProcess.RunToExit([flag, Paths.Script("echo.sh")], RunTimeout);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line);
    }

    [Fact]
    public void Help_EveryAdmissionFlagDocumented()
    {
        var (code, stdout, _) = SupervisorProcess.RunToExit(["--help"], RunTimeout);

        Assert.Equal(0, code);
        foreach (string flag in new[]
        {
            "--origin=", "--sameorigin", "--auth=", "--auth-timeout=", "--maxforks=", "--max-per-ip=", "--max-per-user=",
            "--max-spawn-rate=", "--limit-response=", "--idle-timeout=", "--max-message=", "--max-head=", "--handshake-timeout=",
        })
            Assert.Contains(flag, stdout);
    }

    [Fact]
    public void Help_StatesTheRangesTheParserEnforces()
    {
        var (code, stdout, _) = SupervisorProcess.RunToExit(["--help"], RunTimeout);

        Assert.Equal(0, code);
        Assert.Matches(@"--max-head=BYTES +largest HTTP request head, 1K to 1M \(default 8K\)", stdout);
        Assert.Matches(@"--auth-timeout=SECONDS +how long it may take, 1 to 300 \(default 5\)", stdout);
        foreach (var (flag, accepted, refused) in new[] { ("--max-head", "1K", "1023"), ("--max-head", "1M", "1048577"), ("--auth-timeout", "300", "301") })
        {
            string[] auth = flag == "--auth-timeout" ? [$"--auth={Paths.Script("echo.sh")}"] : [];
            var (refusedCode, _, refusedErr) = SupervisorProcess.RunToExit([.. auth, $"{flag}={refused}", "--loglevel=nope", Paths.Script("echo.sh")], RunTimeout);
            var (acceptedCode, _, acceptedErr) = SupervisorProcess.RunToExit([.. auth, $"{flag}={accepted}", "--loglevel=nope", Paths.Script("echo.sh")], RunTimeout);
            Assert.Equal(2, refusedCode);
            Assert.Contains($"{flag}={refused}", refusedErr);
            Assert.Equal(2, acceptedCode);
            Assert.Contains("--loglevel=nope", acceptedErr); // parsed after the flag under test: it passed
        }
    }

    [Fact]
    public async Task SameOrigin_BareFlag_DoesNotSwallowTheCommand()
    {
        // websocketd's --sameorigin takes no value: the next argument is still the app.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--sameorigin", Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/", "Origin: http://evil.example"), cts.Token);

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
    }
}
