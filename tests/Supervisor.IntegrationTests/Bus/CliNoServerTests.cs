using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>Where `echo > fifo` would hang, the sub-commands fail fast: one clear line on
/// stderr and a non-zero exit within 2 s, whether the server was stopped, killed (its
/// socket file left behind) or is frozen. In the load collection because the bound is
/// tight: next to 100 clients' traffic, starting the CLI alone can take most of a second.</summary>
[Collection(LoadCollection.Name)]
public sealed class CliNoServerTests
{
    // The CLI's 2 s deadline plus process start, with room for a loaded machine (2.8 s seen in
    // a full run beside other builds): what this shows is an end, where a hang has none.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(4);

    public static TheoryData<string[]> Commands => new()
    {
        new[] { "broadcast", "hello" },
        new[] { "send", "--user=42", "hello" },
        new[] { "status" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Cli_ServerStopped_NonZeroExitAndOneLineWithin2s(string[] command)
    {
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        Assert.True(server.Signal(Signals.SIGTERM));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10)));

        AssertFailsFast(command, server.RunDir, "no ws-supervisor is running");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Cli_ServerKilledSocketFileLeft_NonZeroExitAndOneLineWithin2s(string[] command)
    {
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        Assert.True(server.Signal(Signals.SIGKILL));
        Assert.NotNull(server.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal("socket", BusControl.FileKind(server.ControlPath)); // nobody listening on it

        AssertFailsFast(command, server.RunDir, "no ws-supervisor is running");
    }

    /// <summary>One command: all three share the client whose deadline this checks, and
    /// each case costs the full 2 s.</summary>
    [Fact]
    public void Cli_ServerFrozen_NonZeroExitAndOneLineWithin2s()
    {
        string[] command = ["broadcast", "hello"];
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        Assert.True(server.Signal(Signals.SIGSTOP));
        try
        {
            // The kernel still completes the connect (backlog): only the deadline helps.
            AssertFailsFast(command, server.RunDir, "no answer from");
        }
        finally
        {
            server.Signal(Signals.SIGCONT);
        }
    }

    [Fact]
    public void Cli_RunDirNeverUsed_NonZeroExitNamingTheSocket()
    {
        string runDir = Path.Combine(Path.GetTempPath(), $"ws-supervisor-test-none-{Guid.NewGuid():N}");

        var cli = BusControl.RunCli("broadcast", $"--run-dir={runDir}", "hello");

        Assert.Equal(1, cli.ExitCode);
        Assert.Contains(Path.Combine(runDir, "control.sock"), Assert.Single(cli.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(runDir), "the CLI created the run directory");
    }

    private static void AssertFailsFast(string[] command, string runDir, string expected)
    {
        var cli = BusControl.RunCli([command[0], $"--run-dir={runDir}", .. command[1..]]);

        Assert.True(cli.Elapsed < Bound, $"ws-supervisor {command[0]} took {cli.Elapsed.TotalMilliseconds:F0} ms");
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Equal("", cli.Stdout);
        string line = Assert.Single(cli.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ws-supervisor {command[0]}: ", line);
        Assert.Contains(expected, line);
        Assert.Contains(Path.Combine(runDir, "control.sock"), line);
    }
}
