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
            var arguments = CliArguments.Parse(command, args);
            if (arguments.Help)
            {
                Console.Out.WriteLine(Usage);
                return 0;
            }
            switch (command)
            {
                case "broadcast":
                    string broadcast = "broadcast " + Text(arguments.Words);
                    Report(ControlClient.Request(arguments.ControlPath(), broadcast));
                    return 0;
                case "send":
                    string send = $"send {Target(arguments.Flags)} {Text(arguments.Words)}";
                    Report(ControlClient.Request(arguments.ControlPath(), send));
                    return 0;
                default:
                    if (arguments.Words.Count > 0)
                        throw new UsageException($"status takes no TEXT (got \"{string.Join(' ', arguments.Words)}\")");
                    Status(arguments.ControlPath(), arguments.Flags.ContainsKey("json"));
                    return 0;
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ws-supervisor {command}: {e.Message}");
            return 2;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"ws-supervisor {command}: {e.Message}");
            return 1;
        }
    }

    private static string Target(IReadOnlyDictionary<string, string> flags)
    {
        var given = new[] { "user", "conn", "path" }.Where(flags.ContainsKey).ToList();
        if (given.Count != 1)
            throw new UsageException("send needs exactly one of --user, --conn or --path");
        string value = flags[given[0]];
        if (value.Any(c => c == ' ' || char.IsControl(c)))
            throw new UsageException($"--{given[0]}: a target is one word without spaces");
        return $"{given[0]} {value}";
    }

    private static string Text(IReadOnlyList<string> words)
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
