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
/// Only one server reads a FIFO: it holds an exclusive OFD lock on it (<see cref="Fifo.TryLockExclusive"/>).
/// </summary>
/// <remarks>
/// Holding the FIFO open for writing too means a writer's close is never seen (no EOF, no
/// POLLHUP while a writer of our own exists), and the kernel keeps no writer boundaries:
/// `printf nonl` followed by another writer's "a\n" would read as "nonla". So bytes that
/// have waited <see cref="PartialLineTimeout"/> for their newline, counted only while this
/// thread waits for input, are dropped with a warning.
///
/// A FIFO removed while the server runs (a cleanup script, an `rm` in the wrong folder)
/// left every later `echo > global.fifo` writing a regular file that nobody reads, and the
/// next start refused that file. So while the FIFO is quiet the thread checks, every
/// <see cref="IdentityCheckEvery"/>, that the path still names the FIFO it reads: if the
/// name is gone it makes the FIFO again (or takes a FIFO someone made there), and if
/// another kind of file took the name it says so, once, until the file is moved away.
/// </remarks>
public sealed class GlobalFifo : IDisposable
{
    /// <summary>A line written in pieces (over PIPE_BUF, or a stream flushed in parts) comes
    /// in writes microseconds apart; a second without its newline is a writer that gave up
    /// or never meant one (`printf`, `echo -n`). Time spent stalled on slow clients is not
    /// counted: this thread is not reading then.</summary>
    public static readonly TimeSpan PartialLineTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Two statx calls per check, on a quiet FIFO only.</summary>
    public static readonly TimeSpan IdentityCheckEvery = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly BusOptions _bus;
    private volatile FdStream _fifo;
    private string? _problemReported; // said once, until it changes or goes away

    private GlobalFifo(string path, BusOptions bus, FdStream fifo)
    {
        _path = path;
        _bus = bus;
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
            if (status is { Kind: not FileKind.Fifo } other)
            {
                throw new StartupException(
                    $"{path} exists and is a {Describe(other.Kind)} file, not a FIFO; it was left untouched (move it away, or choose another --fifo)");
            }
            return new GlobalFifo(path, bus, OpenLocked(path, bus, log)
                ?? throw new StartupException($"another ws-supervisor is already reading the global FIFO {path}; stop it, or give this one its own --run-dir or --fifo"));
        }
        catch (UnixException e)
        {
            throw new StartupException($"cannot set up the global FIFO {path} (--fifo): {e.Call}: {e.Description}");
        }
    }

    /// <summary>The FIFO at <paramref name="path"/> (made if nothing is there), with the bus's
    /// mode and group, open and locked; null if another server holds its lock.</summary>
    private static FdStream? OpenLocked(string path, BusOptions bus, ILogger log)
    {
        if (FileStatus.Of(path) is null)
        {
            Fifo.Create(path, bus.Mode);
            log.Information("Created the global FIFO {Fifo}", path);
        }
        BusPermissions.Apply(path, bus);
        var fifo = Fifo.OpenForReading(path);
        if (Fifo.TryLockExclusive(fifo))
            return fifo;
        fifo.Dispose();
        return null;
    }

    private static string Describe(FileKind kind) => kind.ToString().ToLowerInvariant();

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
                    bool partial = splitter.HasPartialLine;
                    if (!ReadinessPoll.WaitReadable(_fifo.Fd, partial ? PartialLineTimeout : IdentityCheckEvery))
                    {
                        if (partial)
                        {
                            int dropped = splitter.DiscardPartialLine();
                            log.Warning("global FIFO: dropped {Bytes} bytes that waited {Seconds} s for their newline (write each line with its newline in one write)",
                                dropped, PartialLineTimeout.TotalSeconds);
                        }
                        else
                        {
                            KeepNameOnOurFifo(log);
                        }
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

    /// <summary>Called on the reading thread, between reads, so swapping the descriptor
    /// races with nothing.</summary>
    private void KeepNameOnOurFifo(ILogger log)
    {
        try
        {
            var atPath = FileStatus.Of(_path);
            if (atPath is { } same && same.IsSameFileAs(FileStatus.OfDescriptor(_fifo.Fd)))
                return;
            if (atPath is { Kind: not FileKind.Fifo } squatter)
            {
                ReportOnce(log, Describe(squatter.Kind), "global FIFO: {Fifo} is now a {Kind} file, not the FIFO this server reads, so what is " +
                    "written there is lost; move it away and the FIFO is made again within {Seconds} s", _path, Describe(squatter.Kind), IdentityCheckEvery.TotalSeconds);
                return;
            }
            if (OpenLocked(_path, _bus, log) is not { } fresh)
            {
                ReportOnce(log, "locked", "global FIFO: {Fifo} is now another FIFO, which another ws-supervisor reads; this server's FIFO has no name left", _path);
                return;
            }
            _problemReported = null;
            var old = _fifo;
            _fifo = fresh;
            old.Dispose();
            log.Warning("global FIFO: {Fifo} was removed or replaced while the server ran; reading the FIFO now at that path " +
                "(a writer that still held the old one gets EPIPE, as across a restart)", _path);
        }
        catch (UnixException e)
        {
            log.Warning("global FIFO: cannot check or remake {Fifo}: {Call}: {Error}", _path, e.Call, e.Description);
        }
    }

    private void ReportOnce(ILogger log, string problem, string template, params object[] values)
    {
        if (_problemReported == problem)
            return;
        _problemReported = problem;
        log.Error(template, values);
    }

    public void Dispose() => _fifo.Dispose();
}
