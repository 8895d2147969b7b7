using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// The startup self-check: one warning line for each thing that would bite later, and none
/// for a sound setup. Each test provokes one: a low fd limit (the server started under
/// prlimit), a bus mode or folder that shuts the writers' group out, a bus
/// left to group root, fs.protected_fifos; and a port already taken, which stops startup.
/// </summary>
public sealed partial class SelfCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-test-selfcheck-").FullName;

    public SelfCheckTests() => File.SetUnixFileMode(_dir, AppFolder.Mode("755"));

    [Fact]
    public void PortInUse_SecondServer_OneLineNamingThePortAndTheFix()
    {
        using var first = SupervisorProcess.Start("--dir=worker-scripts");

        var (exit, _, stderr) = SupervisorProcess.RunToExit(
            [$"--port={first.Port}", $"--run-dir={Path.Combine(_dir, "second")}", "--dir=worker-scripts"], TimeSpan.FromSeconds(20));

        Assert.Equal(1, exit);
        string line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal($"ws-supervisor: cannot listen on ws://127.0.0.1:{first.Port}/: Address already in use: port {first.Port} is held by another process " +
            $"(perhaps another ws-supervisor; 'ss -ltnp sport = :{first.Port}' shows which): stop it, or choose another --port", line);
    }

    [Fact]
    public void FdLimit_BelowMaxforks_Warns()
    {
        using var server = StartWithFdLimit(256, "--maxforks=1000");
        Assert.Contains(Warnings(server), w => w.Contains("file descriptor limit (256) is too low for --maxforks=1000")
            && w.Contains("past about 96 connections accept() fails with EMFILE"));
    }

    [Fact]
    public void FdLimit_LowWithoutMaxforks_WarnsAndSuggestsOne()
    {
        using var server = StartWithFdLimit(256);
        Assert.Contains(Warnings(server), w => w.Contains("no --maxforks, and the file descriptor limit is 256") && w.Contains("--maxforks=96"));
    }

    [Fact]
    public void BusMode_NoGroupWrite_WarnsOnlyOwnerCanPush()
    {
        using var server = SupervisorProcess.Start($"--run-dir={Path.Combine(_dir, "run")}", "--bus-mode=0600", "--dir=worker-scripts");
        var warnings = Warnings(server);
        Assert.Contains(warnings, w => w.Contains($"the global FIFO {Path.Combine(_dir, "run", "global.fifo")} has mode 0600: only its owner"));
        Assert.Contains(warnings, w => w.Contains("the control socket") && w.Contains("has mode 0600"));
    }

    [Fact]
    public void RunDir_InsideFolderTheGroupCannotEnter_WarnsNamingTheFolder()
    {
        string closed = Path.Combine(_dir, "closed");
        Directory.CreateDirectory(closed);
        File.SetUnixFileMode(closed, AppFolder.Mode("700")); // like /run/user/1000
        using var server = SupervisorProcess.Start($"--run-dir={Path.Combine(closed, "bus")}", "--bus-group=nogroup", "--dir=worker-scripts");

        Assert.Contains(Warnings(server), w => w.Contains($"members of group nogroup cannot reach the global FIFO {Path.Combine(closed, "bus", "global.fifo")}: {closed} (mode 0700"));
    }

    [RootFact]
    public void BusGroup_NotGivenAsRoot_WarnsOnlyRootCanPush()
    {
        using var server = SupervisorProcess.Start($"--run-dir={Path.Combine(_dir, "run")}", "--dir=worker-scripts");
        Assert.Contains(Warnings(server), w => w.Contains("belongs to group root: only root can push") && w.Contains("--bus-group="));
    }

    [Fact]
    public void SoundSetup_NoWarnings()
    {
        using var server = SupervisorProcess.Start($"--run-dir={Path.Combine(_dir, "run")}", "--bus-group=nogroup", "--maxforks=100",
            "--dir=worker-scripts");
        Assert.Empty(Warnings(server));
    }

    /// <summary>The kernel rule itself is tested in Unix.Tests (StickyDirectoryTests); this is
    /// the warning, and the EACCES it foretells, for real.</summary>
    [ProtectedFifosFact]
    public void ProtectedFifos_FifoOfAnotherUserInStickyFolder_WarnsAndRootsCreatingOpenFails()
    {
        string sticky = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(sticky);
        File.SetUnixFileMode(sticky, AppFolder.Mode("1777")); // root's, like /tmp
        using var apps = new AppFolder("ws-supervisor-test-sticky-");
        File.Copy(Paths.Binary, apps["ws-supervisor"]);
        File.SetUnixFileMode(apps["ws-supervisor"], AppFolder.Mode("755"));
        apps.CopyScript("echo.sh");
        string fifo = Path.Combine(sticky, "bus.fifo");

        using var server = SupervisorProcess.Start([$"--run-dir={Path.Combine(_dir, "run")}", $"--fifo={fifo}", "--user=nobody",
            $"--dir={apps.Path}"], binary: apps["ws-supervisor"]);

        Assert.Contains(Warnings(server), w => w.Contains($"fs.protected_fifos is") && w.Contains($"the global FIFO {fifo} sits in the sticky, shared folder {sticky}"));
        // What `echo line > fifo` does as root: open with O_CREAT, refused by the kernel.
        Assert.Throws<UnauthorizedAccessException>(() => new FileStream(fifo, FileMode.OpenOrCreate, FileAccess.Write).Dispose());
    }

    [RootFact]
    public void LimitNproc_BelowWhatTheServersOwnThreadsNeed_Warns()
    {
        // RLIMIT_NPROC counts the user's threads: with --user the acceptor (12) and 8 spare
        // workers (4 each) are 44 already, so no app under --limit-nproc=40 could fork.
        using var apps = new AppFolder("ws-supervisor-test-nproc-");
        File.Copy(Paths.Binary, apps["ws-supervisor"]);
        File.SetUnixFileMode(apps["ws-supervisor"], AppFolder.Mode("755"));
        apps.CopyScript("echo.sh");

        using var server = SupervisorProcess.Start([$"--run-dir={Path.Combine(_dir, "run")}", "--user=nobody", "--limit-nproc=40",
            $"--dir={apps.Path}"], binary: apps["ws-supervisor"]);

        Assert.Contains(Warnings(server), w => w.StartsWith("--limit-nproc=40 is below what the server's own threads need", StringComparison.Ordinal)
            && w.Contains("no app could fork"));
    }

    [RootFact]
    public void LimitNproc_AppsRunAsRoot_WarnsItHasNoEffect()
    {
        using var server = SupervisorProcess.Start($"--run-dir={Path.Combine(_dir, "run")}", "--limit-nproc=4000", "--dir=worker-scripts");

        Assert.Contains(Warnings(server), w => w.StartsWith("--limit-nproc=4000 has no effect: the apps run as root", StringComparison.Ordinal));
    }

    private SupervisorProcess StartWithFdLimit(int limit, params string[] args) =>
        SupervisorProcess.Start([$"--run-dir={Path.Combine(_dir, "run")}", "--bus-group=nogroup", .. args, "--dir=worker-scripts"],
            wrapper: ["prlimit", $"--nofile={limit}:{limit}"]);

    /// <summary>The self-check's lines: it runs before the acceptor serves, so they are all
    /// there once the server has listened and answered.</summary>
    private static List<string> Warnings(SupervisorProcess server)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        WsClient.AssertServerEchoesAsync(server.Url("/echo.sh"), cts.Token).GetAwaiter().GetResult();
        return server.StderrLines.Select(l => SelfCheckLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex(@"WRN acceptor\[\d+\] self-check: (.*)$")]
    private static partial Regex SelfCheckLine();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Runs only where fs.protected_fifos is on and the tests run as root (to start the
/// server with --user); elsewhere skipped with the reason. Unix.Tests cover the rule itself.</summary>
public sealed class ProtectedFifosFactAttribute : FactAttribute
{
    public ProtectedFifosFactAttribute()
    {
        string level = File.Exists("/proc/sys/fs/protected_fifos") ? File.ReadAllText("/proc/sys/fs/protected_fifos").Trim() : "0";
        if (level == "0")
            Skip = "fs.protected_fifos is 0 on this machine (a machine-wide sysctl a test must not change); StickyDirectoryTests cover the rule";
        else if (!Environment.IsPrivilegedProcess)
            Skip = "needs root, to start the server with --user=nobody";
    }
}
