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
    public async Task SameOrigin_BareFlag_DoesNotSwallowTheCommand()
    {
        // websocketd's --sameorigin takes no value: the next argument is still the app.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--sameorigin", Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/", "Origin: http://evil.example"), cts.Token);

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
    }
}
