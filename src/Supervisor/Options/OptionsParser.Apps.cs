using Supervisor.Protocol.Handshake;
using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>What is served and how: the app command or --dir, --auth, --staticdir, the
/// variables passed on and the extra response headers.</summary>
public static partial class OptionsParser
{
    // websocketd's default: only these reach the app, besides the CGI variables.
    private static readonly string[] DefaultPassEnv = ["PATH", "LD_LIBRARY_PATH"];

    /// <summary>As a shell would: a name with a slash is a path, anything else is looked
    /// up on PATH. The result is absolute, so a worker never depends on its cwd to find it.
    /// Runnable means runnable by this process's user (access(2) X_OK, as execve will ask);
    /// with --user, <see cref="Acceptor.PrivilegeDrop"/> asks again as that user.</summary>
    /// <param name="flag">The flag that named it (auth), or null for the COMMAND.</param>
    private static string ResolveCommand(string command, string? flag)
    {
        string label = flag is null ? command : $"--{flag}={command}";
        if (!command.Contains('/'))
            return FindOnPath(command, label, flag);

        string full = Path.GetFullPath(command);
        if (Directory.Exists(full))
        {
            throw new UsageException(flag is null
                ? $"{command}: is a directory (to serve every executable in it at /NAME, give --dir={command})"
                : $"{label}: is a directory, not a program");
        }
        if (Executable.AccessError(full) is { } error)
            throw new UsageException($"{label}: {NotRunnable(full, error)}");
        return full;
    }

    private static string FindOnPath(string command, string label, string? flag)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate) && Executable.AccessError(candidate) is null)
                return candidate;
        }
        throw new UsageException($"{label}: not found on PATH (give a path such as ./{command})");
    }

    /// <summary>"ws-supervisor --run-dir=X status": the COMMAND is a sub-command's name, and
    /// no program of that name is on PATH, so the sub-command was meant.</summary>
    private static void CheckNotMisplacedSubCommand(IReadOnlyList<string> args, int commandIndex)
    {
        string word = args[commandIndex];
        bool isSubCommand = Cli.CliMain.Commands.Contains(word) || word == Cli.Config.ConfigCommand.Name;
        if (!isSubCommand || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, word))))
            return;
        var flags = args.Take(commandIndex).Where(a => a != "--");
        string suggestion = Cli.Config.ServerCommand.ForShell(["ws-supervisor", word, .. flags, .. args.Skip(commandIndex + 1)]);
        throw new UsageException($"{word} is a sub-command, and sub-commands come first: {suggestion}");
    }

    /// <summary>Why access(X_OK) said no, in words: which user, and what the file's mode
    /// and owner are when that is the reason.</summary>
    private static string NotRunnable(string path, UnixException error)
    {
        uint me = FileOwnership.EffectiveUserId;
        if (error.Errno == 2 /* ENOENT */)
            return "no such file";
        if (error.Errno != 13 /* EACCES */)
            return error.Description;
        if (FileStatus.Of(path) is not { } status)
            return "no such file";
        if ((status.Mode & 0x49) == 0) // 0111: no x bit for anyone
            return $"not executable (chmod +x {path})";
        string mode = Convert.ToString(status.Mode & 0xFFF, 8).PadLeft(4, '0');
        return $"not executable by this user (uid {me}): its mode is {mode}, owner uid {status.Uid}, group {status.Gid}, " +
               "and every folder above it must be searchable too";
    }

    private static string ResolveDirectory(string dir)
    {
        string full = Path.GetFullPath(dir);
        if (!Directory.Exists(full))
            throw new UsageException(Path.Exists(full) ? $"--dir={dir}: not a directory" : $"--dir={dir}: no such directory");
        if (Executable.AccessError(full) is { } error)
            throw new UsageException($"--dir={dir}: this user (uid {FileOwnership.EffectiveUserId}) cannot enter it: {error.Description}");
        return full;
    }

    private static string ResolveStaticDirectory(string dir)
    {
        if (Directory.Exists(dir))
            return Path.GetFullPath(dir);
        throw new UsageException(Path.Exists(dir) ? $"--staticdir={dir}: not a directory" : $"--staticdir={dir}: no such directory");
    }

    /// <summary>--passenv= (empty) passes none of the server's variables: apps get the CGI
    /// ones only.</summary>
    private static IReadOnlyList<string> ParsePassEnv(Dictionary<string, List<string>> values)
    {
        string? text = Single(values, "passenv");
        if (text is null)
            return DefaultPassEnv;
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            // POSIX (XBD 8.1) names: what a shell can export. '*' is no pattern here, and
            // "A=B" would be read as a name that no environment holds: both would pass nothing.
            if (!IsVariableName(name))
                throw new UsageException($"--passenv={text}: \"{name}\" is not a variable name " +
                    "(letters, digits and '_', not starting with a digit; no patterns, no =VALUE)");
        }
        return names;
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static IReadOnlyList<string> ParseHeaders(Dictionary<string, List<string>> values)
    {
        if (!values.TryGetValue("header", out var list))
            return [];
        foreach (string header in list)
        {
            int colon = header.IndexOf(':');
            bool valid = colon > 0 && header.Take(colon).All(IsTokenChar) && !header.Any(c => c < 0x20 || c == 0x7f);
            if (!valid)
                throw new UsageException($"--header=\"{header}\": expected \"Name: value\" on one line");
            string name = header[..colon];
            if (ServerHeaders.IsServers(name))
                throw new UsageException(
                    $"--header=\"{header}\": the server writes {name} itself (--header may not set {string.Join(", ", ServerHeaders.Names)})");
        }
        return list;
    }

    private static bool IsTokenChar(char c) =>
        c is > ' ' and < (char)0x7f && "\"(),/:;<=>?@[\\]{}".IndexOf(c) < 0;
}
