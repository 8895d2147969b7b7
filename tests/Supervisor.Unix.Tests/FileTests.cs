using System.Net.Sockets;

namespace Supervisor.Unix.Tests;

/// <summary>statx kinds, FIFOs opened read-write, and inherited-socket adoption.</summary>
public sealed class FileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-unix-").FullName;

    [Fact]
    public void Of_EachKindOfFile_ReportedAsThatKind()
    {
        string regular = Path.Combine(_dir, "regular");
        File.WriteAllText(regular, "x");
        string fifo = Path.Combine(_dir, "fifo");
        Fifo.Create(fifo, Convert.ToUInt32("600", 8));
        string link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, regular);

        Assert.Equal(FileKind.Regular, FileStatus.Of(regular)!.Value.Kind);
        Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo)!.Value.Kind);
        Assert.Equal(FileKind.Symlink, FileStatus.Of(link)!.Value.Kind); // not followed
        Assert.Equal(FileKind.Directory, FileStatus.Of(_dir)!.Value.Kind);
        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of("/dev/null")!.Value.Kind);
        Assert.Null(FileStatus.Of(Path.Combine(_dir, "missing")));
        Assert.Equal(Convert.ToUInt32("600", 8), FileStatus.Of(fifo)!.Value.Mode);
    }

    [Fact]
    public void IsSameFileAs_OpenFifoAgainstItsPath_TrueUntilTheNameGoesToAnotherFile()
    {
        string path = Path.Combine(_dir, "bus");
        Fifo.Create(path, Convert.ToUInt32("600", 8));
        using var reader = Fifo.OpenForReading(path);
        var open = FileStatus.OfDescriptor(reader.Fd);

        Assert.Equal(FileKind.Fifo, open.Kind);
        Assert.True(FileStatus.Of(path)!.Value.IsSameFileAs(open));

        File.Delete(path);
        Fifo.Create(path, Convert.ToUInt32("600", 8));
        Assert.False(FileStatus.Of(path)!.Value.IsSameFileAs(open)); // same name, another FIFO
        Assert.True(FileStatus.OfDescriptor(reader.Fd).IsSameFileAs(open)); // the descriptor still has the first
    }

    [Fact]
    public void OpenForReading_WriterComesAndGoes_ReaderNeverSeesEof()
    {
        string path = Path.Combine(_dir, "bus");
        Fifo.Create(path, Convert.ToUInt32("600", 8));
        using var reader = Fifo.OpenForReading(path);

        // Opening for write does not block: the reader holds a write end too.
        using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write))
            writer.Write("first\n"u8);
        using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write))
            writer.Write("second\n"u8);

        byte[] buffer = new byte[64];
        var text = new System.Text.StringBuilder();
        while (!text.ToString().Contains("second\n"))
        {
            int n = reader.Read(buffer);
            Assert.True(n > 0, "EOF after the last writer left");
            text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.Equal("first\nsecond\n", text.ToString());
    }

    [Fact]
    public void Adopt_PipeInsteadOfSocket_RefusedWithTheCall()
    {
        var (read, write) = FdPair.Pipe();
        try
        {
            var error = Assert.Throws<UnixException>(() => InheritedSocket.Adopt(read));
            Assert.Equal(88, error.Errno); // ENOTSOCK
        }
        finally
        {
            FdPair.Close(read);
            FdPair.Close(write);
        }
    }

    [Fact]
    public void Adopt_StreamSocket_UsableAndCloseOnExec()
    {
        var (first, second) = FdPair.StreamSocketPair();
        InheritedSocket.SetCloseOnExec(first); // already set: setting again is harmless
        using var adopted = InheritedSocket.Adopt(first);
        using var peer = new Socket(new SafeSocketHandle(second, ownsHandle: true));

        peer.Send("ping"u8);
        byte[] buffer = new byte[4];
        Assert.Equal(4, adopted.Receive(buffer));
        Assert.Equal("ping"u8.ToArray(), buffer);
        Assert.Contains("FD_CLOEXEC", CloseOnExecFlag(first));
    }

    [Fact]
    public void Resolve_SymlinkChain_RealPath()
    {
        string target = Path.Combine(_dir, "target");
        File.WriteAllText(target, "x");
        string link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(RealPath.Resolve(target), RealPath.Resolve(link));
        Assert.Null(RealPath.Resolve(Path.Combine(_dir, "missing")));
    }

    private static string CloseOnExecFlag(int fd) =>
        File.ReadAllText($"/proc/self/fdinfo/{fd}").Split('\n').First(l => l.StartsWith("flags:")) is var flags
        && (Convert.ToInt32(flags[6..].Trim(), 8) & 0x80000) != 0 ? "FD_CLOEXEC" : "no cloexec";

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
