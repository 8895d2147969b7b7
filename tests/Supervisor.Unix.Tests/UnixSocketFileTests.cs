using System.Net.Sockets;

namespace Supervisor.Unix.Tests;

/// <summary>The control socket's bind and connect, and the run folder's mkdir, by libc: a
/// failure carries the kernel's errno, where .NET's SocketError folds ENOENT into
/// EADDRNOTAVAIL and has no ENOTDIR at all.</summary>
public sealed class UnixSocketFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-unix-").FullName;

    [Fact]
    public async Task ListenAndConnect_SamePath_BytesCross()
    {
        string path = Path.Combine(_dir, "control.sock");
        using var listener = UnixSocketFile.Listen(path, 4);
        using var client = UnixSocketFile.Connect(path, TimeSpan.FromSeconds(2));
        using var server = await listener.AcceptAsync();

        await client.SendAsync("hi\n"u8.ToArray(), SocketFlags.None);
        byte[] buffer = new byte[8];
        Assert.Equal(3, await server.ReceiveAsync(buffer, SocketFlags.None));
        Assert.Equal(FileKind.Socket, FileStatus.Of(path)!.Value.Kind);
    }

    [Fact]
    public void Connect_ThroughARegularFile_Enotdir()
    {
        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "");

        var error = Assert.Throws<UnixException>(() => UnixSocketFile.Connect(Path.Combine(file, "control.sock"), TimeSpan.FromSeconds(1)));

        Assert.Equal(20, error.Errno); // ENOTDIR
        Assert.Equal("Not a directory", error.Description);
    }

    [Fact]
    public void Connect_NothingListening_Econnrefused()
    {
        string path = Path.Combine(_dir, "stale.sock");
        UnixSocketFile.Listen(path, 1).Dispose(); // the file stays, nobody listens

        var error = Assert.Throws<UnixException>(() => UnixSocketFile.Connect(path, TimeSpan.FromSeconds(1)));

        Assert.Equal(111, error.Errno); // ECONNREFUSED
    }

    [Fact]
    public void Listen_InAFolderThatCannotHoldFiles_EnoentNotEaddrnotavail()
    {
        var error = Assert.Throws<UnixException>(() => UnixSocketFile.Listen("/proc/ws-supervisor-test.sock", 1));

        Assert.Equal(2, error.Errno); // ENOENT
        Assert.StartsWith("bind /proc/ws-supervisor-test.sock", error.Call);
    }

    [Fact]
    public void Listen_PathOver107Bytes_Enametoolong()
    {
        string path = Path.Combine(_dir, new string('x', 108 - _dir.Length));

        var error = Assert.Throws<UnixException>(() => UnixSocketFile.Listen(path, 1));

        Assert.Equal(36, error.Errno); // ENAMETOOLONG
    }

    [Fact]
    public void Remove_Socket_Gone()
    {
        string path = Path.Combine(_dir, "gone.sock");
        UnixSocketFile.Listen(path, 1).Dispose();

        UnixSocketFile.Remove(path);

        Assert.Null(FileStatus.Of(path));
    }

    [Fact]
    public void Create_NestedMissingFolders_AllMadeWithTheMode()
    {
        string nested = Path.Combine(_dir, "a", "b", "c");

        Folder.Create(nested, Convert.ToUInt32("755", 8));
        Folder.Create(nested, Convert.ToUInt32("755", 8)); // there already: fine

        Assert.Equal(FileKind.Directory, FileStatus.Of(nested)!.Value.Kind);
    }

    [Fact]
    public void Create_UnderAFile_ErrnoOfThatStep()
    {
        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "");

        var error = Assert.Throws<UnixException>(() => Folder.Create(Path.Combine(file, "run"), Convert.ToUInt32("755", 8)));

        Assert.Equal(20, error.Errno); // ENOTDIR
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
