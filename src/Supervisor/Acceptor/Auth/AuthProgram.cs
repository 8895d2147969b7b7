using System.Text;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Auth;

/// <summary>
/// The handshake-time auth program (--auth): run once per upgrade with the request's CGI
/// environment (cookies, query string, remote address), under a time bound. Exit 0 with a
/// user id as the first stdout line accepts the connection as that user; any other exit
/// refuses it, its first stdout line being the reason the client reads. A timeout, a
/// crash or an empty id is the server's failure, not the client's (503). It runs on a
/// thread of its own, so the accept loop never waits for it.
/// </summary>
public sealed class AuthProgram(AuthOptions options)
{
    /// <summary>More than a user id or a one-line reason could need.</summary>
    private const int MaxOutputBytes = 4096;
    private const int MaxUserIdLength = 256;

    public async Task<AuthResult> CheckAsync(IReadOnlyList<string> environment)
    {
        string program = options.Program!;
        var (read, write) = FdPair.Pipe();
        int pid;
        try
        {
            pid = PosixSpawn.Spawn(program, [program], environment, [new FdMapping(write, 1)],
                newProcessGroup: true, stdinFromDevNull: true);
        }
        catch (UnixException e)
        {
            FdPair.Close(read);
            return AuthResult.Failed($"cannot start {program}: {e.Message}");
        }
        finally
        {
            FdPair.Close(write);
        }

        var run = Task.Factory.StartNew(() => ReadAndWait(pid, read), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (await Task.WhenAny(run, Task.Delay(options.Timeout)) != run)
        {
            // Its whole process group: a shell script's children hold the pipe open too.
            Processes.Signal(-pid, Processes.SIGKILL);
            await run;
            return AuthResult.Failed($"{program} did not answer within {options.Timeout.TotalSeconds} s");
        }

        var (output, exit) = await run;
        string firstLine = FirstLine(output);
        if (exit.Signaled)
            return AuthResult.Failed($"{program} was killed by signal {exit.Signal}");
        if (exit.ExitCode != 0)
            return AuthResult.Denied(firstLine);
        if (!IsValidUserId(firstLine))
            return AuthResult.Failed($"{program} exited 0 without a valid user id on its first line");
        return AuthResult.Accepted(firstLine);
    }

    private static (byte[] Output, ChildExit Exit) ReadAndWait(int pid, int fd)
    {
        using var stdout = new FdStream(fd);
        var output = new byte[MaxOutputBytes];
        int filled = 0;
        int n;
        while (filled < output.Length && (n = stdout.Read(output.AsSpan(filled))) > 0)
            filled += n;
        stdout.Dispose(); // past the limit, the program gets EPIPE rather than our attention
        return (output[..filled], Processes.Wait(pid));
    }

    private static string FirstLine(byte[] output)
    {
        string text = Encoding.UTF8.GetString(output);
        int end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }

    /// <summary>A user id ends up in environment variables and log lines: printable, one
    /// line, no NUL (execve could not carry it), and of sane length.</summary>
    private static bool IsValidUserId(string id) =>
        id.Length is > 0 and <= MaxUserIdLength && !id.Any(char.IsControl);
}
