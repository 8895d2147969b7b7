using System.Text;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// Why an app could not be started, said so that its owner can fix it. execve(2) gives
/// ENOENT both for a missing file and for a missing interpreter, and the second read as
/// the first ("posix_spawn …/app.sh: No such file or directory" for a file that is
/// there). Most often the #! line ends in a CR: a script saved with CRLF line endings
/// asks for "/usr/bin/php\r".
/// </summary>
public static class StartFailure
{
    /// <summary>A #! line longer than this is cut by the kernel anyway (BINPRM_BUF_SIZE, 256
    /// since Linux 5.1).</summary>
    private const int HeadBytes = 256;

    private const int ENOENT = 2;

    public static string Describe(string appPath, UnixException e)
    {
        if (e.Errno != ENOENT || ReadHead(appPath) is not { } head)
            return e.Message;
        return Explain(head) ?? $"{e.Message} (the file exists: something it needs to run, such as its dynamic loader, does not)";
    }

    /// <summary>What a #! line at the start of <paramref name="head"/> says is missing, or
    /// null if there is none.</summary>
    public static string? Explain(ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith("#!"u8))
            return null;
        var line = head[2..];
        int end = line.IndexOf((byte)'\n');
        if (end >= 0)
            line = line[..end];
        if (line.EndsWith("\r"u8))
        {
            string named = Encoding.UTF8.GetString(line.Trim(" \t"u8)).Replace("\r", "\\r", StringComparison.Ordinal);
            return $"its #! line ends in a CR (a CRLF line ending), so the interpreter it names, \"{named}\", does not exist: "
                + "save the file with LF line endings (dos2unix)";
        }
        var words = Encoding.UTF8.GetString(line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0
            ? "its #! line names no interpreter"
            : $"its interpreter {words[0]} (from the #! line) does not exist";
    }

    private static byte[]? ReadHead(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            byte[] buffer = new byte[HeadBytes];
            int n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return buffer[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not there (or not readable): the plain error says it
        }
    }
}
