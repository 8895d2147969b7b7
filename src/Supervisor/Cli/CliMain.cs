using System.Text.Json;
using Supervisor.Options;

namespace Supervisor.Cli;

/// <summary>
/// The sub-commands that talk to a running acceptor, thin clients of its control socket:
/// <c>broadcast TEXT</c>, <c>send --user|--conn|--path TARGET TEXT</c>, <c>status [--json]</c>.
/// They find the server by the same defaults it uses (see <see cref="RunPaths"/>).
/// </summary>
public static class CliMain
{
    public static readonly string[] Commands = ["broadcast", "send", "status"];

    public const string Usage = """
        usage: ws-supervisor broadcast [--run-dir=DIR | --control=PATH] TEXT...
               ws-supervisor send (--user=ID | --conn=ID | --path=/APP) [--run-dir=DIR | --control=PATH] TEXT...
               ws-supervisor status [--json] [--run-dir=DIR | --control=PATH]
        """;

    public static int Run(string command, IReadOnlyList<string> args)
    {
        try
        {
            var (flags, words) = Split(args);
            if (flags.ContainsKey("help"))
            {
                Console.Out.WriteLine(Usage);
                return 0;
            }
            string control = ControlPath(flags);
            switch (command)
            {
                case "broadcast":
                    Report(ControlClient.Request(control, "broadcast " + Text(words)));
                    return 0;
                case "send":
                    Report(ControlClient.Request(control, $"send {Target(flags)} {Text(words)}"));
                    return 0;
                default:
                    Status(control, flags.ContainsKey("json"));
                    return 0;
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ws-supervisor {command}: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ws-supervisor {command}: {e.Message}");
            return 1;
        }
    }

    private static (Dictionary<string, string> Flags, List<string> Words) Split(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>();
        var words = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            // Options count wherever they stand, so `broadcast hello --run-dir=X` goes to X
            // instead of sending "hello --run-dir=X" to the default server; text that starts
            // with "--" goes after a "--".
            string arg = args[i];
            if (!arg.StartsWith("--"))
            {
                words.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                words.AddRange(args.Skip(i + 1));
                break;
            }
            string body = arg[2..];
            int equals = body.IndexOf('=');
            string name = equals < 0 ? body : body[..equals];
            bool takesValue = name is "run-dir" or "control" or "user" or "conn" or "path";
            if (!takesValue && name is not ("json" or "help"))
                throw new UsageException($"unknown option --{name}");
            string value = equals >= 0 ? body[(equals + 1)..]
                : takesValue ? (i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value"))
                : "true";
            flags[name] = value;
        }
        return (flags, words);
    }

    private static string ControlPath(Dictionary<string, string> flags)
    {
        if (flags.TryGetValue("control", out var control))
            return Path.GetFullPath(control);
        string dir = flags.TryGetValue("run-dir", out var runDir) ? Path.GetFullPath(runDir) : RunPaths.DefaultDirectory();
        return Path.Combine(dir, RunPaths.ControlName);
    }

    private static string Target(Dictionary<string, string> flags)
    {
        var given = new[] { "user", "conn", "path" }.Where(flags.ContainsKey).ToList();
        if (given.Count != 1)
            throw new UsageException("send needs exactly one of --user, --conn or --path");
        string value = flags[given[0]];
        if (value.Length == 0 || value.Any(c => c == ' ' || char.IsControl(c)))
            throw new UsageException($"--{given[0]}: a target is one word without spaces");
        return $"{given[0]} {value}";
    }

    private static string Text(List<string> words)
    {
        if (words.Count == 0)
            throw new UsageException("no TEXT to send");
        string text = string.Join(' ', words);
        if (text.Contains('\n') || text.Contains('\r'))
            throw new UsageException("TEXT must be one line (each line is one message)");
        return text;
    }

    private static void Report(string answer)
    {
        if (!answer.StartsWith("ok "))
            throw new CliException(answer.StartsWith("error ") ? answer[6..] : answer);
        string reached = answer[3..];
        Console.Out.WriteLine($"sent to {reached} connection{(reached == "1" ? "" : "s")}");
    }

    private static void Status(string control, bool json)
    {
        string count = Payload(ControlClient.Request(control, "count"));
        string list = Payload(ControlClient.Request(control, "list"));
        if (json)
        {
            Console.Out.WriteLine($"{{\"count\":{count},\"connections\":{list}}}");
            return;
        }
        StatusTable.Print(JsonDocument.Parse(count).RootElement, JsonDocument.Parse(list).RootElement, Console.Out);
    }

    private static string Payload(string answer) =>
        answer.StartsWith("ok ") ? answer[3..] : throw new CliException(answer);
}
