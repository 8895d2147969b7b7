using Supervisor.Options;

namespace Supervisor.Cli;

/// <summary>
/// A sub-command's words: its own options, wherever they stand (so `broadcast hello
/// --run-dir=X` goes to X instead of sending "hello --run-dir=X" to the default server),
/// and the rest, which is the text. Each sub-command takes only its own options: a
/// misplaced one (status's --json after broadcast) would otherwise vanish or be sent.
/// Text that starts with "--" goes after a "--", which ends the options.
/// </summary>
public sealed record CliArguments(IReadOnlyDictionary<string, string> Flags, IReadOnlyList<string> Words, bool Help)
{
    private static readonly string[] Location = ["run-dir", "control"];

    private static readonly Dictionary<string, string[]> ValueFlags = new()
    {
        ["broadcast"] = Location,
        ["send"] = [.. Location, "user", "conn", "path"],
        ["status"] = Location,
    };

    private static readonly Dictionary<string, string[]> Switches = new()
    {
        ["broadcast"] = [],
        ["send"] = [],
        ["status"] = ["json"],
    };

    public static CliArguments Parse(string command, IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>();
        var words = new List<string>();
        bool help = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                words.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg is "-h" or "--help")
            {
                help = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                words.Add(arg);
                continue;
            }
            var (name, value) = FlagWords.Split(arg[2..]);
            if (Switches[command].Contains(name))
            {
                if (value is not null)
                    throw new UsageException($"--{name} takes no value");
                value = "true";
            }
            else if (ValueFlags[command].Contains(name))
            {
                if (value is null)
                {
                    if (!FlagWords.NextIsValue(args, i))
                        throw new UsageException($"--{name} needs a value (--{name}=VALUE)");
                    value = args[++i];
                }
                if (value.Length == 0)
                    throw new UsageException($"--{name}= is empty: give a value");
            }
            else
            {
                throw new UsageException(command == "status"
                    ? $"unknown option --{name} for status"
                    : $"unknown option --{name} for {command} (text that starts with -- goes after --)");
            }
            if (!flags.TryAdd(name, value))
                throw new UsageException($"--{name} given more than once");
        }
        return new CliArguments(flags, words, help);
    }

    /// <summary>The control socket: --control, else RUN-DIR/control.sock (--run-dir or the
    /// server's default), checked the way the server checks it.</summary>
    public string ControlPath()
    {
        if (Flags.ContainsKey("control") && Flags.ContainsKey("run-dir"))
            throw new UsageException("give --run-dir or --control, not both");
        string path;
        string flag;
        if (Flags.TryGetValue("control", out var control))
        {
            if (control == "off")
                throw new UsageException("--control=off: the sub-commands talk to the server through its control socket; give its path");
            (path, flag) = (Path.GetFullPath(control), "--control");
        }
        else
        {
            string dir = RunPaths.DefaultDirectory();
            if (Flags.TryGetValue("run-dir", out var runDir))
            {
                dir = Path.GetFullPath(runDir);
                if (Path.Exists(dir) && !Directory.Exists(dir))
                    throw new UsageException($"--run-dir={runDir}: not a directory");
            }
            (path, flag) = (Path.Combine(dir, RunPaths.ControlName), "--run-dir");
        }
        RunPaths.CheckSocketPath(path, flag);
        return path;
    }
}
