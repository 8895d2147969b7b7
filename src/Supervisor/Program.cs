using Supervisor.Acceptor;
using Supervisor.Cli;
using Supervisor.Cli.Config;
using Supervisor.Handoff;
using Supervisor.Logging;
using Supervisor.Options;
using Supervisor.Worker;

namespace Supervisor;

public static class Program
{
    public const string Version = "0.1.0";

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == HandoffContract.WorkerCommand)
            return WorkerMain.Run(args[1..]);
        if (args.Length > 0 && args[0] == HandoffContract.ExecAppCommand)
            return ExecAppMain.Run(args[1..]);
        if (args.Length > 0 && CliMain.Commands.Contains(args[0]))
            return CliMain.Run(args[0], args[1..]);
        if (args.Length > 0 && args[0] == ConfigCommand.Name)
            return ConfigCommand.Run(args[1..]);

        if (OptionsParser.WantsHelp(args))
        {
            Console.Out.Write(HelpText.Text);
            return 0;
        }
        if (OptionsParser.WantsVersion(args))
        {
            Console.Out.WriteLine($"ws-supervisor {Version}");
            return 0;
        }

        ServerOptions options;
        try
        {
            options = OptionsParser.Parse(args, DemoDirectory.Find());
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ws-supervisor: {e.Message}");
            return 2;
        }

        using var log = LogSetup.Create("acceptor", options.Log.Level, options.Log.Json);
        return new AcceptorHost(options, log).Run();
    }
}
