namespace Supervisor.Unix.Tests;

/// <summary>The libc pieces of privilege drop and per-app limits that can be checked
/// without giving anything up: user lookup, access(X_OK), rlimits, the per-thread view
/// of credentials, and a spawn environment that is bytes, not text.</summary>
public sealed class AccountsAndLimitsTests
{
    [Fact]
    public void Find_Root_ByNameAndByUid()
    {
        var byName = UserAccount.Find("root");
        var byUid = UserAccount.Find(0u);

        Assert.NotNull(byName);
        Assert.Equal(0u, byName.Uid);
        Assert.Equal(0u, byName.Gid);
        Assert.Equal("root", byUid?.Name);
    }

    [Fact]
    public void Find_NoSuchUser_Null()
    {
        Assert.Null(UserAccount.Find("no-such-user-ws-supervisor"));
        Assert.Null(UserAccount.Find(4_000_000_000u));
    }

    [Fact]
    public void IsRunnableByMe_ExecutableAndNot()
    {
        Assert.True(Executable.IsRunnableByMe("/bin/sh"));
        Assert.False(Executable.IsRunnableByMe("/no/such/file"));
        string plain = Path.GetTempFileName();
        try
        {
            File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.False(Executable.IsRunnableByMe(plain));
        }
        finally
        {
            File.Delete(plain);
        }
    }

    [Fact]
    public void Get_OpenFiles_SoftAtMostHard()
    {
        var (soft, hard) = ResourceLimit.Get(Resource.OpenFiles);

        Assert.True(soft <= hard, $"soft {soft} above hard {hard}");
        Assert.True(soft >= 3);
    }

    [Fact]
    public void Set_SameValuesAgain_Accepted()
    {
        // Setting what is already in force changes nothing and must not fail.
        var (soft, hard) = ResourceLimit.Get(Resource.Cpu);
        ResourceLimit.Set(Resource.Cpu, soft, hard);

        Assert.Equal((soft, hard), ResourceLimit.Get(Resource.Cpu));
    }

    [Fact]
    public void ThreadIds_EveryThreadHasFourUidsAndGids()
    {
        var threads = Privileges.ThreadIds();
        var ids = Privileges.UserIds();

        Assert.Contains(threads, t => t.Tid == Environment.ProcessId);
        Assert.All(threads, t =>
        {
            Assert.Equal([ids.Real, ids.Effective, ids.Saved, ids.Effective], t.Uids);
            Assert.Equal(4, t.Gids.Length);
        });
    }

    [Fact]
    public void Spawn_ByteEnvironment_ChildGetsTheExactBytes()
    {
        // 0xE9 alone is not UTF-8: a string environment could not carry it.
        byte[] entry = [.. "X="u8, (byte)'a', 0xE9, 0xFF, 0x80, 0xC3, 0xA9];
        var (read, write) = FdPair.Pipe();
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "printf %s \"$X\" | od -An -tx1 -v"],
            new[] { entry, "PATH=/usr/bin:/bin"u8.ToArray() }, [new FdMapping(write, 1)], newProcessGroup: false);
        FdPair.Close(write);

        string hex = PosixSpawnTests.ReadAll(read).Replace(" ", "").Trim();

        Assert.Equal("61e9ff80c3a9", hex);
        Assert.True(Processes.Wait(pid).Succeeded);
    }
}
