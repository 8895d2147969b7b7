using System.Net.Sockets;
using System.Text;
using Serilog;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The control socket: a unix stream socket with the line protocol of
/// <see cref="ControlCommands"/>, simple enough for PHP's stream_socket_client. Who may
/// connect is decided by the socket file's mode and group (see <see cref="BusPermissions"/>);
/// each peer is identified by SO_PEERCRED: every push (broadcast, send) is logged at info
/// with the sender's uid, user name and pid (see <see cref="ControlAudit"/>).
/// </summary>
public sealed class ControlServer : IDisposable
{
    /// <summary>Each connection holds an acceptor descriptor and up to --max-message plus
    /// 80 KiB of buffers (<see cref="ControlSession"/>); a request takes milliseconds, so
    /// 128 at once is far more than the CLI, cron and PHP pages need, and a client that
    /// leaks connections is refused before it costs the server its descriptors.</summary>
    public const int MaxConnections = 128;

    private static readonly byte[] RefusalLine =
        Encoding.ASCII.GetBytes($"error too many control connections ({MaxConnections} open); try again later\n");

    private readonly Socket _listener;
    private readonly string _path;
    private int _open;
    private bool _refusing;

    private ControlServer(Socket listener, string path)
    {
        _listener = listener;
        _path = path;
    }

    public string Path => _path;

    public static ControlServer Bind(BusOptions bus, string path)
    {
        string folder = System.IO.Path.GetDirectoryName(path)!;
        RunDirectory.Prepare(folder, bus, folder == bus.RunDirectory ? "--run-dir" : "--control");
        try
        {
            var status = FileStatus.Of(path);
            if (status is { Kind: not FileKind.Socket })
                throw new StartupException($"{path} exists and is not a socket (a {status.Value.Kind}); it was left untouched (move it away, or choose another --control)");
            if (status is not null)
            {
                if (IsServed(path))
                    throw new StartupException($"another ws-supervisor is already serving the control socket {path}; stop it, or give this one its own --run-dir");
                UnixSocketFile.Remove(path); // a socket left behind by a server that died
            }

            var listener = UnixSocketFile.Listen(path, 64);
            try
            {
                BusPermissions.Apply(path, bus);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
            return new ControlServer(listener, path);
        }
        catch (UnixException e)
        {
            throw new StartupException($"cannot set up the control socket {path} (--control): {e.Call}: {e.Description}");
        }
    }

    public void Start(ControlCommands commands, Adoptions adoptions, int maxMessageBytes, ILogger log) =>
        _ = AcceptLoopAsync(commands, adoptions, maxMessageBytes, log);

    private async Task AcceptLoopAsync(ControlCommands commands, Adoptions adoptions, int maxMessageBytes, ILogger log)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return; // disposed while the accept was pending: the server is stopping
            }
            catch (SocketException e)
            {
                log.Error("control socket accept failed: {Error}", e.Message);
                await Task.Delay(100);
                continue;
            }
            if (Interlocked.Increment(ref _open) > MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                _ = RefuseAsync(client, log);
                continue;
            }
            _refusing = false;
            _ = ServeAsync(new ControlSession(client, commands, adoptions, maxMessageBytes, log), client);
        }
    }

    /// <summary>An adopted worker's connection leaves the count here: it is one per surviving
    /// connection, lasts as long as that connection, and only the server's own user can
    /// make one, so it must not take the place of the pushers' connections.</summary>
    private async Task ServeAsync(ControlSession session, Socket client)
    {
        bool adopted = false;
        try
        {
            adopted = await session.RunAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            if (!adopted)
                client.Dispose();
        }
    }

    /// <summary>One line and the close. A fresh socket's buffer is empty, so the line goes
    /// out at once; then the client's request is read and dropped (for at most a second),
    /// since closing with it unread would fail the client's write with EPIPE before it
    /// could read why.</summary>
    private async Task RefuseAsync(Socket client, ILogger log)
    {
        if (!_refusing)
        {
            _refusing = true; // once per run of refusals, not once per client
            log.Warning("control socket: {Max} connections open; refusing more until one closes", MaxConnections);
        }
        using (client)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await client.SendAsync(RefusalLine, SocketFlags.None, patience.Token);
                client.Shutdown(SocketShutdown.Send);
                byte[] unread = new byte[4096];
                while (await client.ReceiveAsync(unread, SocketFlags.None, patience.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // It is closed either way.
            }
        }
    }

    private static bool IsServed(string path)
    {
        try
        {
            using var probe = UnixSocketFile.Connect(path, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (UnixException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            UnixSocketFile.Remove(_path);
        }
        catch (UnixException)
        {
            // Best effort: a stale socket is cleaned up at the next start anyway.
        }
    }
}
