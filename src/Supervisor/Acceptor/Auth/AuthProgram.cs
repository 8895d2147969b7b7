using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Auth;

/// <summary>
/// The handshake-time auth program (--auth): run once per upgrade with the request's CGI
/// environment (cookies, query string, remote address), under a time bound. Exit 0 with a
/// user id as the first stdout line accepts the connection as that user; any other exit
/// refuses it, its first stdout line being the reason the client reads. A timeout, a
/// crash or an empty id is the server's failure, not the client's (503).
/// </summary>
/// <remarks>
/// Nothing here blocks a thread: the program's stdout is one end of a socket pair, read
/// asynchronously with the deadline as cancellation, and its exit is polled with WNOHANG.
/// (A pipe read needs a blocked thread, and a program that left a child holding its
/// stdout — `sleep 1000 &amp;` in a script — kept that thread, and the handshake, forever.)
/// At the deadline the program's whole process group is killed.
/// </remarks>
public sealed class AuthProgram(AuthOptions options)
{
    /// <summary>More than a user id or a one-line reason could need.</summary>
    private const int MaxOutputBytes = 4096;
    private const int MaxUserIdLength = 256;

    public async Task<AuthResult> CheckAsync(IReadOnlyList<string> environment)
    {
        string program = options.Program!;
        int mine, theirs;
        try
        {
            (mine, theirs) = FdPair.StreamSocketPair();
        }
        catch (UnixException e)
        {
            return AuthResult.Failed($"cannot start {program}: {e.Message}");
        }
        using var stdout = new Socket(new SafeSocketHandle(mine, ownsHandle: true));
        int pid;
        try
        {
            pid = PosixSpawn.Spawn(program, [program], environment, [new FdMapping(theirs, 1)],
                newProcessGroup: true, stdinFromDevNull: true);
        }
        catch (UnixException e)
        {
            return AuthResult.Failed($"cannot start {program}: {e.Message}");
        }
        finally
        {
            FdPair.Close(theirs);
        }

        using var deadline = new CancellationTokenSource(options.Timeout);
        byte[] output;
        ChildExit exit;
        try
        {
            output = await ReadOutputAsync(stdout, deadline.Token);
            exit = await WaitForExitAsync(pid, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // Its whole process group: a shell script's children hold the socket open too.
            Processes.Signal(-pid, Processes.SIGKILL);
            _ = Task.Run(() => Processes.Wait(pid)); // SIGKILL is prompt; no handshake waits for it
            return AuthResult.Failed($"{program} did not answer within {options.Timeout.TotalSeconds} s");
        }

        string firstLine = FirstLine(output);
        if (exit.Signaled)
            return AuthResult.Failed($"{program} was killed by signal {exit.Signal}");
        if (exit.ExitCode != 0)
            return AuthResult.Denied(firstLine);
        if (!Utf8.IsValid(FirstLineBytes(output)))
            return AuthResult.Failed($"{program} exited 0 with a user id that is not UTF-8");
        if (firstLine.Any(char.IsWhiteSpace))
            return AuthResult.Failed($"{program} exited 0 with a user id with whitespace, which `send user ID TEXT` could not name");
        if (!IsValidUserId(firstLine))
            return AuthResult.Failed($"{program} exited 0 without a valid user id on its first line");
        return AuthResult.Accepted(firstLine);
    }

    /// <summary>Up to <see cref="MaxOutputBytes"/> kept, the rest read and dropped, until
    /// EOF (the program, and any child it left with its stdout, closed it) or the deadline.
    /// Closing early would kill a program still writing with SIGPIPE, and its exit status,
    /// which decides, would be lost: an accepted user would get 503.</summary>
    private static async Task<byte[]> ReadOutputAsync(Socket stdout, CancellationToken deadline)
    {
        var output = new byte[MaxOutputBytes];
        int filled = 0;
        try
        {
            int n;
            while (filled < output.Length && (n = await stdout.ReceiveAsync(output.AsMemory(filled), SocketFlags.None, deadline)) > 0)
                filled += n;
            if (filled == output.Length)
            {
                var discard = new byte[MaxOutputBytes];
                while (await stdout.ReceiveAsync(discard, SocketFlags.None, deadline) > 0)
                {
                }
            }
        }
        catch (SocketException)
        {
            // A reset is an end of output like any other.
        }
        return output[..filled];
    }

    /// <summary>Polls waitpid(WNOHANG): a program exits right after its output ends, so
    /// the first polls almost always find it, and no thread sits in waitpid meanwhile.</summary>
    private static async Task<ChildExit> WaitForExitAsync(int pid, CancellationToken deadline)
    {
        int delayMs = 1;
        while (true)
        {
            if (Processes.TryReap(pid) is { } exit)
                return exit;
            await Task.Delay(delayMs, deadline);
            delayMs = Math.Min(delayMs * 2, 50);
        }
    }

    /// <summary>Checked before decoding, which would turn invalid bytes into U+FFFD: two
    /// different ids in some legacy encoding would become one user.</summary>
    private static ReadOnlySpan<byte> FirstLineBytes(byte[] output)
    {
        int end = output.AsSpan().IndexOfAny((byte)'\r', (byte)'\n');
        return end < 0 ? output : output.AsSpan(0, end);
    }

    private static string FirstLine(byte[] output)
    {
        string text = Encoding.UTF8.GetString(output);
        int end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }

    /// <summary>A user id ends up in environment variables and log lines: printable, one
    /// line, no NUL (execve could not carry it), and of sane length. (No whitespace inside
    /// either, checked before: the control protocol's target is one word.)</summary>
    private static bool IsValidUserId(string id) =>
        id.Length is > 0 and <= MaxUserIdLength && !id.Any(char.IsControl);
}
