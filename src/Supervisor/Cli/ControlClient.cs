using System.Net.Sockets;
using System.Text;

namespace Supervisor.Cli;

/// <summary>One request line to a running acceptor's control socket, one answer line back,
/// within a deadline: the CLI must fail fast and clearly where a bare `echo > fifo` would
/// hang.</summary>
public static class ControlClient
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>The answer line; throws <see cref="CliException"/> with one clear line.</summary>
    public static string Request(string controlPath, string line)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.ConnectAsync(new UnixDomainSocketEndPoint(controlPath), deadline.Token).AsTask().GetAwaiter().GetResult();
            socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
            socket.Shutdown(SocketShutdown.Send);
            return ReadLine(socket, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new CliException($"no answer from {controlPath} within {Deadline.TotalSeconds} s");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused
                                         || e.NativeErrorCode is 2 /* ENOENT */ or 111 /* ECONNREFUSED */)
        {
            throw new CliException($"no ws-supervisor is running (nothing listening on {controlPath}); start one, or point at it with --run-dir or --control");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied || e.NativeErrorCode is 13 /* EACCES */)
        {
            throw new CliException($"permission denied on {controlPath}: its group may write to it (see the server's --bus-group)");
        }
        catch (SocketException e)
        {
            throw new CliException($"{controlPath}: {e.Message}");
        }
    }

    private static string ReadLine(Socket socket, CancellationToken deadline)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n = socket.ReceiveAsync(buffer, SocketFlags.None, deadline).AsTask().GetAwaiter().GetResult();
            if (n == 0)
                break;
            received.Write(buffer, 0, n);
            if (Array.IndexOf(buffer, (byte)'\n', 0, n) >= 0)
                break;
        }
        string text = Encoding.UTF8.GetString(received.ToArray());
        int end = text.IndexOf('\n');
        if (end < 0)
            throw new CliException("the server closed the control connection without an answer");
        return text[..end];
    }
}
