namespace Supervisor.Unix.Tests;

/// <summary>Reaping and signalling children we started, and decoding how they ended.</summary>
public sealed class ProcessesTests
{
    private static readonly string[] Env = ["PATH=/usr/bin:/bin"];

    [Theory]
    [InlineData(0x0000, 0, 0)]    // exit(0)
    [InlineData(0x0300, 3, 0)]    // exit(3): status in bits 8–15
    [InlineData(0x0009, -1, 9)]   // killed by SIGKILL: signal in the low 7 bits
    [InlineData(0x0086, -1, 6)]   // SIGABRT with the core-dump bit (0x80) set
    public void FromStatus_WaitStatusWord_ExitCodeOrSignal(int status, int exitCode, int signal)
    {
        var exit = ChildExit.FromStatus(status);

        Assert.Equal(exitCode, exit.ExitCode);
        Assert.Equal(signal, exit.Signal);
    }

    [Fact]
    public void TryReap_RunningThenExited_NullThenTheExit()
    {
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "sleep 0.3; exit 7"], Env, [], newProcessGroup: false);

        Assert.Null(Processes.TryReap(pid));
        var exit = Processes.Wait(pid);

        Assert.Equal(7, exit.ExitCode);
        Assert.False(exit.Succeeded);
    }

    [Fact]
    public void Signal_GroupOfAShellWithAChild_BothEnd()
    {
        // The worker stops an app by signalling its group: a shell's children go too.
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "sleep 30 & echo $!; wait"], Env,
            [new FdMapping(write, 1)], newProcessGroup: true);
        FdPair.Close(write);
        using var output = new FdStream(read);
        byte[] buffer = new byte[64];
        int childPid = int.Parse(System.Text.Encoding.ASCII.GetString(buffer, 0, output.Read(buffer)).Trim());

        Assert.True(Processes.Signal(-pid, Processes.SIGTERM));
        var exit = Processes.Wait(pid);

        Assert.Equal(Processes.SIGTERM, exit.Signal);
        Assert.True(WaitUntilGone(childPid, TimeSpan.FromSeconds(5)), $"the shell's child {childPid} outlived the group signal");
    }

    [Fact]
    public void Signal_ProcessAlreadyReaped_ReturnsFalse()
    {
        int pid = PosixSpawn.Spawn("/bin/true", ["/bin/true"], Env, [], newProcessGroup: false);
        Processes.Wait(pid);

        Assert.False(Processes.Signal(pid, 0));
    }

    private static bool WaitUntilGone(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "))
                return true;
            Thread.Sleep(20);
        }
        return false;
    }
}
