using System.Net.Sockets;
using System.Text;
using Serilog;
using Supervisor.Options;
using Supervisor.Protocol.Lines;
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
    private readonly Socket _listener;
    private readonly string _path;

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

    public void Start(ControlCommands commands, int maxLineBytes, ILogger log) =>
        _ = AcceptLoopAsync(commands, maxLineBytes, log);

    private async Task AcceptLoopAsync(ControlCommands commands, int maxLineBytes, ILogger log)
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
            _ = ServeAsync(client, commands, maxLineBytes, log);
        }
    }

    private static async Task ServeAsync(Socket client, ControlCommands commands, int maxLineBytes, ILogger log)
    {
        using (client)
        {
            var peer = PeerCredentials.Of(client);
            string peerName = peer is { } p ? PeerName(p.Uid) : "?";
            int peerPid = peer?.Pid ?? 0;
            uint peerUid = peer?.Uid ?? uint.MaxValue;
            var peerLog = log.ForContext("PeerPid", peerPid).ForContext("PeerUid", peerUid);
            void Audit(ReadOnlySpan<byte> line, string answer)
            {
                var (pushes, summary) = ControlAudit.Describe(line);
                const string Template = "control: {Command} from uid {PeerUid} ({PeerUser}) pid {PeerPid}: {Answer}";
                if (pushes)
                    peerLog.Information(Template, summary, peerUid, peerName, peerPid, answer);
                else
                    peerLog.Debug(Template, summary, peerUid, peerName, peerPid, Shorten(answer));
            }
            // A request line carries a message plus a short command and target.
            var splitter = new LineSplitter(maxLineBytes + 1024);
            var answers = new StringBuilder();
            byte[] buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    int n = await client.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                        break;
                    bool ok = splitter.Feed(buffer.AsSpan(0, n), line =>
                    {
                        string answer = commands.Execute(line.Span);
                        Audit(line.Span, answer);
                        answers.Append(answer).Append('\n');
                    });
                    if (!ok)
                        answers.Append("error request line longer than --max-message\n");
                    if (answers.Length > 0)
                    {
                        await client.SendAsync(Encoding.UTF8.GetBytes(answers.ToString()), SocketFlags.None);
                        answers.Clear();
                    }
                    if (!ok)
                        break;
                }
                // A last request without a newline (PHP's fwrite without "\n") still counts.
                splitter.Flush(line =>
                {
                    string answer = commands.Execute(line.Span);
                    Audit(line.Span, answer);
                    answers.Append(answer).Append('\n');
                });
                if (answers.Length > 0)
                    await client.SendAsync(Encoding.UTF8.GetBytes(answers.ToString()), SocketFlags.None);
            }
            catch (SocketException e)
            {
                peerLog.Debug("control client left: {Error}", e.Message);
            }
        }
    }

    private static string PeerName(uint uid)
    {
        try
        {
            return UserAccount.Find(uid)?.Name ?? "no name";
        }
        catch (UnixException)
        {
            return "no name";
        }
    }

    /// <summary>list and count answers can be long; the debug line needs their start only.</summary>
    private static string Shorten(string answer) => answer.Length <= 120 ? answer : answer[..120] + "…";

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
