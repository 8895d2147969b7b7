using System.Diagnostics;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --user: started as root, the acceptor binds, makes the bus files (given to the user),
/// then becomes the user on every thread; its workers and apps are that user too. The
/// server runs from a copy of the binary in a folder every user can reach, as it would
/// from /usr/local/bin.
/// </summary>
public sealed class PrivilegeDropTests
{
    private const string User = "nobody";

    private static AppFolder Install()
    {
        var folder = new AppFolder("ws-supervisor-test-priv-");
        folder.CopyScript("echo.sh").CopyScript("sandbox.sh");
        File.Copy(Paths.Binary, folder["ws-supervisor"]);
        File.SetUnixFileMode(folder["ws-supervisor"], AppFolder.Mode("755"));
        return folder;
    }

    [RootFact]
    public async Task User_Nobody_AcceptorWorkerAndAppRunAsNobodyOnEveryThread()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (uid, gid) = FileOwner.Account(User);
        using var apps = Install();
        // Not there yet: the acceptor makes it, as root, and gives it to the user.
        string runDir = Path.Combine(Path.GetTempPath(), $"ws-supervisor-test-run-{Guid.NewGuid():N}");
        using var server = SupervisorProcess.Start([$"--run-dir={runDir}", $"--user={User}", $"--dir={apps.Path}"],
            binary: apps["ws-supervisor"]);
        using var held = await WsClient.ConnectAsync(server.Url("/echo.sh"), cts.Token);
        await held.AssertEchoesAsync("connected before anything else", cts.Token);

        using var sandbox = await WsClient.ConnectAsync(server.Url("/sandbox.sh/whoami"), cts.Token);
        await sandbox.SendTextAsync("whoami", cts.Token);
        string? whoami = await sandbox.ReceiveTextAsync(cts.Token);
        var (workerPid, appPid, _) = await server.WaitForOpenedAsync("/sandbox.sh/whoami", TimeSpan.FromSeconds(5));

        Assert.Equal($"uid={uid} gid={gid} groups={gid}", whoami);
        string uidLine = $"Uid:\t{uid}\t{uid}\t{uid}\t{uid}";
        string gidLine = $"Gid:\t{gid}\t{gid}\t{gid}\t{gid}";
        foreach (var (role, pid) in new[] { ("acceptor", server.Pid), ("worker", workerPid), ("app", appPid) })
        {
            var threads = FileOwner.ThreadIds(pid);
            Assert.NotEmpty(threads);
            foreach (var (tid, uidSeen, gidSeen) in threads)
            {
                Assert.True(uidSeen == uidLine, $"{role} {pid} thread {tid}: {uidSeen}");
                Assert.True(gidSeen == gidLine, $"{role} {pid} thread {tid}: {gidSeen}");
            }
            string groups = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Groups:", StringComparison.Ordinal));
            Assert.Equal($"Groups:\t{gid}", groups.TrimEnd());
        }
        Assert.True(FileOwner.ThreadIds(workerPid).Count > 1, "a worker has runtime threads: they must all have changed");

        // The bus files (and the folder made for them) are the user's, never world-writable.
        Assert.Equal($"{uid}:{gid} 660", FileOwner.Of(server.FifoPath));
        Assert.Equal($"{uid}:{gid} 660", FileOwner.Of(server.ControlPath));
        Assert.Equal($"{uid}:{gid} 755", FileOwner.Of(runDir));
        await server.WaitForLogAsync(new Regex($@"Running as {User} \(uid {uid}, gid {gid}, groups {gid}\); all \d+ threads checked"), TimeSpan.FromSeconds(1));
        await held.AssertEchoesAsync("still here", cts.Token);
    }

    [RootFact]
    public async Task User_Nobody_AppCannotReadItsWorkersProcFiles()
    {
        // Exec makes a worker dumpable again: its apps, the same user, could read its
        // environment and, with ptrace, what it held of earlier connections.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var apps = Install();
        apps.WriteScript("peek.sh", "if cat /proc/$PPID/environ > /dev/null 2>&1; then echo readable; else echo denied; fi");
        string runDir = Path.Combine(Path.GetTempPath(), $"ws-supervisor-test-run-{Guid.NewGuid():N}");
        using var server = SupervisorProcess.Start([$"--run-dir={runDir}", $"--user={User}", $"--dir={apps.Path}"],
            binary: apps["ws-supervisor"]);
        using var client = await WsClient.ConnectAsync(server.Url("/peek.sh"), cts.Token);

        Assert.Equal("denied", await client.ReceiveTextAsync(cts.Token));
    }

    [RootFact]
    public void User_AppNotReachableByTheUser_OneLineStartupError()
    {
        using var apps = Install();
        using var hidden = new AppFolder("ws-supervisor-test-private-");
        hidden.CopyScript("echo.sh");
        File.SetUnixFileMode(hidden.Path, AppFolder.Mode("700"));

        var (exitCode, stderr) = Run(apps["ws-supervisor"], ["--port=0", $"--run-dir={apps["run"]}", $"--user={User}", hidden["echo.sh"]]);

        // The log lines of what was done before (the FIFO made), then the one line that says why not.
        Assert.Equal(1, exitCode);
        Assert.Equal($"ws-supervisor: user {User} cannot run {hidden["echo.sh"]}; make it (and the folders above it) accessible to that user",
            stderr.Split('\n')[^1]);
        Assert.DoesNotContain(stderr.Split('\n')[..^1], line => !line.Contains(" INF ", StringComparison.Ordinal));
    }

    [RootFact]
    public void User_AuthProgramNotReachableByTheUser_OneLineStartupError()
    {
        using var apps = Install();
        using var hidden = new AppFolder("ws-supervisor-test-private-");
        hidden.WriteScript("auth.sh", "echo 42");
        File.SetUnixFileMode(hidden.Path, AppFolder.Mode("700"));

        var (exitCode, stderr) = Run(apps["ws-supervisor"],
            ["--port=0", $"--run-dir={apps["run"]}", $"--user={User}", $"--auth={hidden["auth.sh"]}", apps["echo.sh"]]);

        // Until checked, it started and answered every handshake 503.
        Assert.Equal(1, exitCode);
        Assert.Equal($"ws-supervisor: user {User} cannot run the --auth program {hidden["auth.sh"]}; make it (and the folders above it) accessible to that user",
            stderr.Split('\n')[^1]);
    }

    /// <summary>Without --user, the server's own user is the one that runs the apps: a file
    /// only its owner may run (0744, root's) has an x bit, yet this user cannot run it.</summary>
    [RootTheory]
    [InlineData("")]
    [InlineData("--auth=")]
    public void Unprivileged_ProgramOnlyItsOwnerMayRun_OneLineUsageError(string flag)
    {
        using var apps = Install();
        apps.WriteScript("rootonly.sh", "echo 42", mode: "744");
        var (uid, gid) = FileOwner.Account(User);
        string runDir = Path.Combine(Path.GetTempPath(), $"ws-supervisor-test-run-{Guid.NewGuid():N}");
        string[] program = flag.Length == 0 ? [apps["rootonly.sh"]] : [flag + apps["rootonly.sh"], apps["echo.sh"]];
        try
        {
            var (exitCode, stderr) = Run("setpriv", [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", apps["ws-supervisor"],
                "--port=0", $"--run-dir={runDir}", .. program]);

            // Until checked for this user, it started and closed every connection with 1011.
            Assert.Equal(2, exitCode);
            Assert.Equal($"ws-supervisor: {flag}{apps["rootonly.sh"]}: not executable by this user (uid {uid}): its mode is 0744, owner uid 0, group 0, " +
                "and every folder above it must be searchable too", stderr);
        }
        finally
        {
            if (Directory.Exists(runDir))
                Directory.Delete(runDir, recursive: true);
        }
    }

    [RootFact]
    public void User_NotStartedAsRoot_OneLineUsageError()
    {
        using var apps = Install();
        var (uid, gid) = FileOwner.Account(User);

        // setpriv (util-linux) starts it as nobody, who then asks to become daemon.
        var (exitCode, stderr) = Run("setpriv", [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", apps["ws-supervisor"],
            "--port=0", $"--run-dir={apps["run"]}", "--user=daemon", apps["echo.sh"]]);

        Assert.Equal(2, exitCode);
        Assert.Equal($"ws-supervisor: --user=daemon needs root to switch users (running as uid {uid}); start as root, or leave --user out", stderr);
    }

    [RootFact]
    public void User_NoSuchUser_OneLineUsageError()
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit(["--user=no-such-user-ws", Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Equal("ws-supervisor: --user=no-such-user-ws: no such user", stderr.TrimEnd('\n'));
    }

    [Fact]
    public void Group_WithoutUser_OneLineUsageError()
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit(["--group=nogroup", Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("--group needs --user", stderr);
    }

    private static (int ExitCode, string Stderr) Run(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync(); // read, not waited for: a server that starts keeps it open
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not exit: the server started");
        }
        Task.WaitAll([stderr, stdout], TimeSpan.FromSeconds(5));
        return (process.ExitCode, stderr.Result.TrimEnd('\n'));
    }
}
