namespace Supervisor.Unix.Tests;

/// <summary>A process group is alive while a member is not a zombie: an orphan's zombie
/// stays in its group until whoever adopted it reaps it.</summary>
public sealed class ProcessGroupTests
{
    private static readonly string[] Env = ["PATH=/usr/bin:/bin"];

    [Theory]
    [InlineData("4242 (sleep) S 1 4240 4240 0 -1 4194304", 4240, true)]
    [InlineData("4242 (sleep) Z 1 4240 4240 0 -1 4194304", 4240, false)]  // a zombie
    [InlineData("4242 (sleep) X 1 4240 4240 0 -1 4194304", 4240, false)]  // dead
    [InlineData("4242 (sleep) S 1 4241 4240 0 -1 4194304", 4240, false)]  // another group
    [InlineData("4242 (a) b) (c) R 1 4240 4240 0", 4240, true)]          // ')' and spaces in comm
    [InlineData("4242 (truncated", 4240, false)]
    [InlineData("4242 (x) S 1", 4240, false)]
    public void IsLiveMember_StatLine_ByStateAndGroup(string stat, int group, bool expected) =>
        Assert.Equal(expected, ProcessGroup.IsLiveMember(stat, group));

    [Fact]
    public void HasLiveMember_GroupUntilItsOnlyProcessIsAZombie_ThenNot()
    {
        int pid = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", "exec sleep 30"], Env, [], newProcessGroup: true);
        try
        {
            Assert.True(ProcessGroup.HasLiveMember(pid));

            Processes.Signal(pid, Processes.SIGKILL);
            for (int i = 0; i < 200 && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal); i++)
                Thread.Sleep(10);

            Assert.True(Processes.Signal(-pid, 0), "kill(-pgid, 0) still finds the unreaped zombie");
            Assert.False(ProcessGroup.HasLiveMember(pid));
        }
        finally
        {
            Processes.Signal(pid, Processes.SIGKILL);
            Processes.Wait(pid);
        }
        Assert.False(ProcessGroup.HasLiveMember(pid));
    }
}
