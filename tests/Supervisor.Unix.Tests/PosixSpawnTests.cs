using System.Text;

namespace Supervisor.Unix.Tests;

/// <summary>posix_spawn as the acceptor and the worker use it: fds land where they are
/// mapped, nothing else leaks, and the child starts with default signal handling.</summary>
public sealed class PosixSpawnTests
{
    private static readonly string[] NoEnvironment = ["PATH=/usr/bin:/bin"];

    [Fact]
    public void Spawn_MappedPipe_ChildWritesToTheTargetFd()
    {
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "echo mapped >&5"], NoEnvironment,
            [new FdMapping(write, 5)], newProcessGroup: false);
        FdPair.Close(write);

        string output = ReadAll(read);

        Assert.Equal("mapped\n", output);
        Assert.True(Processes.Wait(pid).Succeeded);
    }

    [Fact]
    public void Spawn_SourceEqualToAnotherTarget_NeitherIsClobbered()
    {
        // Two pipes whose write ends are swapped into each other's numbers: a naive
        // dup2 sequence would overwrite the second source before it is moved.
        var first = FdPair.Pipe();
        var second = FdPair.Pipe();
        // bash, not sh: dash reads only one digit after >&.
        int pid = PosixSpawn.Spawn("/bin/bash", ["/bin/bash", "-c", "echo one >&" + second.Write + "; echo two >&" + first.Write],
            NoEnvironment, [new FdMapping(first.Write, second.Write), new FdMapping(second.Write, first.Write)],
            newProcessGroup: false);
        FdPair.Close(first.Write);
        FdPair.Close(second.Write);

        Assert.Equal("one\n", ReadAll(first.Read));
        Assert.Equal("two\n", ReadAll(second.Read));
        Assert.True(Processes.Wait(pid).Succeeded);
    }

    [Fact]
    public void Spawn_UnmappedParentFds_NotInheritedByTheChild()
    {
        var (read, write) = FdPair.Pipe();
        var unrelated = FdPair.Pipe(); // close-on-exec, like every fd the project opens
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", $"ls /proc/self/fd; test -e /proc/self/fd/{unrelated.Read} && echo LEAK"],
            NoEnvironment, [new FdMapping(write, 1)], newProcessGroup: false, stdinFromDevNull: true);
        FdPair.Close(write);

        string output = ReadAll(read);
        Processes.Wait(pid);
        FdPair.Close(unrelated.Read);
        FdPair.Close(unrelated.Write);

        Assert.DoesNotContain("LEAK", output);
    }

    [Fact]
    public void Spawn_ParentIgnoresSigpipe_ChildHasDefaultSigpipeAndEmptyMask()
    {
        // The .NET runtime ignores SIGPIPE; an ignored disposition survives exec, so
        // without SETSIGDEF `yes | head -1` style pipelines in apps would never end.
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "grep -E '^(SigIgn|SigBlk)' /proc/self/status"],
            NoEnvironment, [new FdMapping(write, 1)], newProcessGroup: false);
        FdPair.Close(write);

        string status = ReadAll(read);
        Processes.Wait(pid);

        // SIGPIPE is signal 13: bit 12 of the mask (0x1000).
        ulong ignored = Mask(status, "SigIgn");
        Assert.Equal(0UL, ignored & 0x1000);
        Assert.Equal(0UL, Mask(status, "SigBlk"));
    }

    [Fact]
    public void Spawn_AnyParent_ChildIgnoresNoSignalNotEvenGlibcsReservedOnes()
    {
        // glibc's posix_spawn left 32 and 33 (its SIGCANCEL and SIGSETXID) ignored in
        // every child: SigIgn 0000000180000000. grep itself changes no disposition.
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/grep", ["/bin/grep", "-E", "^(SigIgn|SigBlk)", "/proc/self/status"],
            NoEnvironment, [new FdMapping(write, 1)], newProcessGroup: false);
        FdPair.Close(write);

        string status = ReadAll(read);
        Processes.Wait(pid);

        Assert.Equal(0UL, Mask(status, "SigIgn"));
        Assert.Equal(0UL, Mask(status, "SigBlk"));
    }

    [Fact]
    public void Spawn_NewProcessGroup_ChildLeadsItsOwnGroup()
    {
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "cut -d' ' -f5 /proc/self/stat"],
            NoEnvironment, [new FdMapping(write, 1)], newProcessGroup: true);
        FdPair.Close(write);

        // /proc/self/stat of `cut` itself: its group is the shell's pid (the leader).
        string group = ReadAll(read).Trim();
        Processes.Wait(pid);

        Assert.Equal(pid.ToString(), group);
    }

    [Fact]
    public void Spawn_MissingExecutable_ThrowsWithTheCallAndErrno()
    {
        var error = Assert.Throws<UnixException>(() =>
            PosixSpawn.Spawn("/nonexistent/app", ["/nonexistent/app"], NoEnvironment, [], newProcessGroup: false));

        Assert.Equal(2, error.Errno); // ENOENT
        Assert.Contains("/nonexistent/app", error.Message);
    }

    [Fact]
    public void Spawn_EnvironmentGiven_ChildSeesExactlyThat()
    {
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/usr/bin/env", ["/usr/bin/env"], ["ONLY=this", "AND=that"],
            [new FdMapping(write, 1)], newProcessGroup: false);
        FdPair.Close(write);

        Assert.Equal("ONLY=this\nAND=that\n", ReadAll(read));
        Processes.Wait(pid);
    }

    internal static string ReadAll(int fd)
    {
        using var stream = new FdStream(fd);
        var output = new MemoryStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = stream.Read(buffer)) > 0)
            output.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static ulong Mask(string status, string name)
    {
        string line = status.Split('\n').Single(l => l.StartsWith(name + ":"));
        return Convert.ToUInt64(line[(name.Length + 1)..].Trim(), 16);
    }
}
