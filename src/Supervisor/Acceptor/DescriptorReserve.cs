using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Serilog;

namespace Supervisor.Acceptor;

/// <summary>
/// The reserve-fd trick for running out of file descriptors. When accept(2) fails with
/// EMFILE or ENFILE the connection stays in the listen backlog, and the client waits
/// unanswered until it gives up (and a level-triggered loop would spin on it). So one
/// spare fd (/dev/null) is held from startup: on EMFILE it is closed, the waiting
/// connection is accepted into its number and answered "retry later"
/// (<see cref="Admission.OutOfDescriptorsAnswer"/>), and the spare is reopened once that answer
/// is done. Accepts pause briefly while the spare is in use, then try again: a worker
/// exiting meanwhile frees what normal service needs.
/// </summary>
public sealed class DescriptorReserve(ILogger log) : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AcceptWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private SafeFileHandle? _spare = TryOpen();
    private bool _inUse;
    private long _shed;
    private DateTime _lastLog = DateTime.MinValue;

    /// <summary>Called by an accept thread whose accept failed with EMFILE/ENFILE:
    /// answers one waiting connection with <paramref name="shed"/> if the spare is free,
    /// and returns once the thread may try accept again.</summary>
    public void ShedOne(Socket listener, Func<Socket, Task> shed, int liveConnections, Func<bool> stopping)
    {
        bool haveSpare;
        lock (_lock)
        {
            if (!_inUse)
                _spare ??= TryOpen(); // a reopen that failed earlier gets another chance
            haveSpare = !_inUse && _spare is not null;
            if (haveSpare)
            {
                _inUse = true;
                _spare!.Dispose(); // now accept has one fd number to use
                _spare = null;
            }
            if (DateTime.UtcNow - _lastLog >= LogEvery)
            {
                _lastLog = DateTime.UtcNow;
                log.Error("out of file descriptors (accept: EMFILE/ENFILE) with {Connections} connections; " +
                    "answering new upgrades \"retry later\" until some close ({Shed} so far). " +
                    "Raise the limit (ulimit -n, systemd LimitNOFILE=) or lower --maxforks", liveConnections, _shed);
            }
        }
        if (!haveSpare)
        {
            Thread.Sleep(Pause);
            return;
        }

        Socket? client = null;
        try
        {
            // poll(2), then accept: the listener stays a plain blocking socket.
            if (!stopping() && listener.Poll(AcceptWait, SelectMode.SelectRead))
                client = listener.Accept();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The waiting client left, or the limit is system-wide (ENFILE) and the
            // spare did not help: pause, as without a spare.
        }
        if (client is null)
        {
            Restore();
            Thread.Sleep(Pause);
            return;
        }
        Interlocked.Increment(ref _shed);
        // The answer may take up to a second or two (head, close handshake); the thread goes
        // back to accepting meanwhile, pausing on EMFILE while the spare is out.
        _ = AnswerThenRestoreAsync(client, shed);
    }

    private async Task AnswerThenRestoreAsync(Socket client, Func<Socket, Task> shed)
    {
        try
        {
            await shed(client);
        }
        finally
        {
            client.Dispose();
            Restore();
        }
    }

    private void Restore()
    {
        lock (_lock)
        {
            _spare ??= TryOpen(); // still out of fds: retried on the next EMFILE
            _inUse = false;
        }
    }

    private static SafeFileHandle? TryOpen()
    {
        try
        {
            return File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _spare?.Dispose();
            _spare = null;
        }
    }
}
