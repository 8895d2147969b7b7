namespace Supervisor.Unix.Tests;

/// <summary>fs.protected_fifos as the kernel applies it (may_create_in_sticky), on real
/// directories and FIFOs: the modes come from statx, the owners are varied.</summary>
public sealed class StickyDirectoryTests : IDisposable
{
    private const uint Root = 0;
    private const uint Alice = 1000;
    private const uint Bob = 1001;

    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-sticky-").FullName;

    [Fact]
    public void DeniesCreatingOpen_FifoOfAnotherUserInWorldWritableStickyDir_Denied()
    {
        var (dir, fifo) = Make("1777");

        // /tmp (root's, 1777) holding alice's FIFO: bob's `echo > fifo` fails, root's too.
        Assert.True(StickyDirectory.DeniesCreatingOpen(1, dir with { Uid = Root }, fifo with { Uid = Alice }, Bob));
        Assert.True(StickyDirectory.DeniesCreatingOpen(1, dir with { Uid = Root }, fifo with { Uid = Alice }, Root));
        Assert.True(StickyDirectory.DeniesOtherWriters(1, dir with { Uid = Root }, fifo with { Uid = Alice }));
    }

    [Fact]
    public void DeniesCreatingOpen_OwnerOrFifoOfTheDirectoryOwner_Allowed()
    {
        var (dir, fifo) = Make("1777");

        Assert.False(StickyDirectory.DeniesCreatingOpen(1, dir with { Uid = Root }, fifo with { Uid = Alice }, Alice));
        // A FIFO made by root in root's /tmp: the directory's owner owns it, so anyone may open it.
        Assert.False(StickyDirectory.DeniesOtherWriters(2, dir with { Uid = Root }, fifo with { Uid = Root }));
    }

    [Fact]
    public void DeniesCreatingOpen_SysctlOffOrNotSticky_Allowed()
    {
        var (sticky, fifo) = Make("1777");
        Assert.False(StickyDirectory.DeniesOtherWriters(0, sticky with { Uid = Root }, fifo with { Uid = Alice }));

        var (plain, fifo2) = Make("0777");
        Assert.False(StickyDirectory.DeniesOtherWriters(2, plain with { Uid = Root }, fifo2 with { Uid = Alice }));
    }

    [Fact]
    public void DeniesCreatingOpen_GroupWritableStickyDir_DeniedAtLevelTwoOnly()
    {
        var (dir, fifo) = Make("1770");

        Assert.False(StickyDirectory.DeniesOtherWriters(1, dir with { Uid = Root }, fifo with { Uid = Alice }));
        Assert.True(StickyDirectory.DeniesOtherWriters(2, dir with { Uid = Root }, fifo with { Uid = Alice }));
    }

    [Fact]
    public void ProtectedFifos_ReadsTheSysctl()
    {
        int expected = File.Exists(StickyDirectory.ProtectedFifosPath)
            ? int.Parse(File.ReadAllText(StickyDirectory.ProtectedFifosPath).Trim())
            : 0;
        Assert.Equal(expected, StickyDirectory.ProtectedFifos());
    }

    /// <summary>A real directory with <paramref name="mode"/> and a FIFO in it, as statx sees them.</summary>
    private (FileStatus Dir, FileStatus Fifo) Make(string mode)
    {
        string dir = Path.Combine(_dir, mode);
        Directory.CreateDirectory(dir);
        FileOwnership.SetMode(dir, Convert.ToUInt32(mode, 8));
        string fifo = Path.Combine(dir, "bus.fifo");
        Fifo.Create(fifo, Convert.ToUInt32("660", 8));
        return (FileStatus.Of(dir)!.Value, FileStatus.Of(fifo)!.Value);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
