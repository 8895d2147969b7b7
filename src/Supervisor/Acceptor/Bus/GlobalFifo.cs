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
/// Only one server reads a FIFO: it holds an exclusive flock(2) on it.
/// </summary>
/// <remarks>
/// Holding the FIFO open for writing too means a writer's close is never seen (no EOF, no
/// POLLHUP while a writer of our own exists), and the kernel keeps no writer boundaries:
/// `printf nonl` followed by another writer's "a\n" would read as "nonla". So bytes that
/// have waited <see cref="PartialLineTimeout"/> for their newline, counted only while this
/// thread waits for input, are dropped with a warning.
/// </remarks>
public sealed class GlobalFifo : IDisposable
{
    /// <summary>A line written in pieces (over PIPE_BUF, or a stream flushed in parts) comes
    /// in writes microseconds apart; a second without its newline is a writer that gave up
    /// or never meant one (`printf`, `echo -n`). Time spent stalled on slow clients is not
    /// counted: this thread is not reading then.</summary>
    public static readonly TimeSpan PartialLineTimeout = TimeSpan.FromSeconds(1);

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
            var fifo = Fifo.OpenForReading(path);
            if (!Fifo.TryLockExclusive(fifo))
            {
                fifo.Dispose();
                throw new StartupException($"another ws-supervisor is already reading the global FIFO {path}; stop it, or give this one its own --run-dir or --fifo");
            }
            return new GlobalFifo(path, fifo);
        }
        catch (UnixException e)
        {
            throw new StartupException($"cannot set up the global FIFO {path} (--fifo): {e.Call}: {e.Description}");
        }
    }

    /// <summary>Reads on a thread of its own for the life of the process; each complete line
    /// within --max-message, once invalid UTF-8 is replaced, goes to <paramref name="onMessage"/>.</summary>
    public void Start(int maxLineBytes, Action<PushedText> onMessage, ILogger log)
    {
        void OnLine(ReadOnlyMemory<byte> line)
        {
            var text = new PushedText(line.Span);
            if (text.Length > maxLineBytes)
                log.Warning("global FIFO: dropped a line of {Bytes} bytes once invalid UTF-8 was replaced, over --max-message ({Max} bytes)", text.Length, maxLineBytes);
            else
                onMessage(text);
        }

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
                    if (splitter.HasPartialLine && !ReadinessPoll.WaitReadable(_fifo.Fd, PartialLineTimeout))
                    {
                        int dropped = splitter.DiscardPartialLine();
                        log.Warning("global FIFO: dropped {Bytes} bytes that waited {Seconds} s for their newline (write each line with its newline in one write)",
                            dropped, PartialLineTimeout.TotalSeconds);
                        continue;
                    }
                    n = _fifo.Read(buffer);
                }
                catch (Exception e) when (e is UnixException or ObjectDisposedException)
                {
                    log.Debug("global FIFO closed: {Error}", e.Message);
                    return;
                }
                if (n == 0)
                    return;
                splitter.Feed(buffer.AsSpan(0, n), OnLine);
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
