using Serilog;
using Supervisor.Options;
using Supervisor.Protocol.Lines;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The global pipe: a named FIFO whose every line goes to every client. Created once
/// with mkfifo and kept across restarts (cron jobs hold its path); whatever else is found
/// at the path stops startup and is left as it was. Held open read-write, so it never
/// reads EOF and writers never see ENXIO while the server runs. A line of up to PIPE_BUF
/// (4096) bytes is written atomically by the kernel, so concurrent writers never tear
/// each other's lines; longer lines are delivered up to --max-message but may interleave.
/// </summary>
public sealed class GlobalFifo : IDisposable
{
    private readonly FdStream _fifo;
    private readonly string _path;

    private GlobalFifo(string path, FdStream fifo)
    {
        _path = path;
        _fifo = fifo;
    }

    public string Path => _path;

    public static GlobalFifo Open(BusOptions bus, string path, ILogger log)
    {
        string folder = System.IO.Path.GetDirectoryName(path)!;
        RunDirectory.Prepare(folder, bus, folder == bus.RunDirectory ? "--run-dir" : "--fifo");
        try
        {
            var status = FileStatus.Of(path);
            if (status is null)
            {
                Fifo.Create(path, bus.Mode);
                log.Information("Created the global FIFO {Fifo}", path);
            }
            else if (status.Value.Kind != FileKind.Fifo)
            {
                throw new StartupException(
                    $"{path} exists and is a {status.Value.Kind.ToString().ToLowerInvariant()} file, not a FIFO; it was left untouched (move it away, or choose another --fifo)");
            }
            BusPermissions.Apply(path, bus);
            return new GlobalFifo(path, Fifo.OpenForReading(path));
        }
        catch (UnixException e)
        {
            throw new StartupException($"cannot set up the global FIFO {path} (--fifo): {e.Call}: {e.Description}");
        }
    }

    /// <summary>Reads on a thread of its own for the life of the process; each complete line
    /// goes to <paramref name="onLine"/> (the memory is valid during the call only).</summary>
    public void Start(int maxLineBytes, Action<ReadOnlyMemory<byte>> onLine, ILogger log)
    {
        var thread = new Thread(() =>
        {
            var splitter = new LineSplitter(maxLineBytes, skipOverlongLines: true);
            long skipped = 0;
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                int n;
                try
                {
                    n = _fifo.Read(buffer);
                }
                catch (Exception e) when (e is UnixException or ObjectDisposedException)
                {
                    log.Debug("global FIFO closed: {Error}", e.Message);
                    return;
                }
                if (n == 0)
                    return;
                splitter.Feed(buffer.AsSpan(0, n), onLine);
                if (splitter.SkippedLines != skipped)
                {
                    skipped = splitter.SkippedLines;
                    log.Warning("global FIFO: dropped a line longer than --max-message ({Max} bytes); {Skipped} dropped so far", maxLineBytes, skipped);
                }
            }
        }, 256 * 1024)
        {
            IsBackground = true,
            Name = "global-fifo",
        };
        thread.Start();
    }

    public void Dispose() => _fifo.Dispose();
}
