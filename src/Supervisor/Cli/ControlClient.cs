using System.Net.Sockets;
using System.Text;
using Supervisor.Unix;

namespace Supervisor.Cli;

/// <summary>One request line to a running acceptor's control socket, one answer line back,
/// within a deadline: the CLI must fail fast and clearly where a bare `echo > fifo` would
/// hang.</summary>
public static class ControlClient
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    private const int EAGAIN = 11;
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int ECONNREFUSED = 111;

    /// <summary>The answer line; throws <see cref="CliException"/> with one clear line.</summary>
    public static string Request(string controlPath, string line)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var socket = Connect(controlPath);
        try
        {
            socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None, deadline.Token).AsTask().GetAwaiter().GetResult();
            socket.Shutdown(SocketShutdown.Send);
            return ReadLine(socket, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw NoAnswer(controlPath);
        }
        catch (SocketException e)
        {
            // Past connect, .NET's text is strerror's own ("Connection reset by peer").
            throw new CliException($"{controlPath}: {e.Message}");
        }
    }

    /// <summary>connect(2) by libc, so the kernel's errno reaches the message: .NET's
    /// SocketError turns ENOTDIR into "Unknown socket error".</summary>
    private static Socket Connect(string controlPath)
    {
        try
        {
            return UnixSocketFile.Connect(controlPath, Deadline);
        }
        catch (UnixException e) when (e.Errno is ENOENT or ECONNREFUSED)
        {
            throw new CliException($"no ws-supervisor is running (nothing listening on {controlPath}); start one, or point at it with --run-dir or --control");
        }
        catch (UnixException e) when (e.Errno == EACCES)
        {
            throw new CliException($"permission denied on {controlPath}: its group may write to it (see the server's --bus-group)");
        }
        catch (UnixException e) when (e.Errno == EAGAIN)
        {
            throw NoAnswer(controlPath); // the backlog stayed full for the whole deadline
        }
        catch (UnixException e)
        {
            throw new CliException($"cannot connect to {controlPath}: {e.Description}");
        }
    }

    private static CliException NoAnswer(string controlPath) =>
        new($"no answer from {controlPath} within {Deadline.TotalSeconds} s");

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
