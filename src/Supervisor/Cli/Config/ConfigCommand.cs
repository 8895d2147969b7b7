using Supervisor.Options;

namespace Supervisor.Cli.Config;

/// <summary><c>ws-supervisor config apache|nginx|systemd [flags] [COMMAND ARGS...]</c>: prints
/// a ready configuration to stdout. A mistake is one line on stderr and exit 2.</summary>
public static class ConfigCommand
{
    public const string Name = "config";

    public const string Usage = """
        usage: ws-supervisor config apache|nginx|systemd [options] [COMMAND [ARGS...]]

        Prints a ready configuration for running ws-supervisor behind a proxy or as a service,
        and, in its comments, the ws-supervisor command line it was made for.

          apache     Apache 2.4 with mod_proxy_wstunnel: a ProxyPass virtual host (Apache >= 2.4.47),
                     or with --htaccess the RewriteRule form for .htaccess
          nginx      nginx: the Connection map and a server with the WebSocket location
          systemd    a unit: Type=notify, an unprivileged User=, RuntimeDirectory for the bus

        ws-supervisor (all kinds):
          --port=PORT               its port (default 8080)
          --address=ADDR            its address (default 127.0.0.1)
          --ping-interval=SECONDS   its keep-alive interval (default 30); proxy timeouts are sized to it
          --trusted-proxy=CIDR[,..] the proxy's address (default: 127.0.0.1 when --address is loopback;
                                    none to leave it out)
          --dir=DIR | COMMAND       what it serves (default: the demo installed beside --executable,
                                    BIN/../share/ws-supervisor/worker-scripts, never ./worker-scripts;
                                    the output names its absolute path)
          --run-dir=DIR             folder of the FIFO and control socket (systemd: /run/NAME,
                                    default /run/ws-supervisor)
          --bus-group=GROUP         group that may push through the FIFO and control socket
          --maxforks=N              connection limit (also sizes the unit's LimitNOFILE)
          --origin=HOST[:PORT][,...]  the pages that may connect (passed on as it is; see
                                    ws-supervisor --help); other server options are not
                                    carried: add them to the printed command line by hand
          --binary                  its binary mode, as the server's --binary (websocketd's)
          --executable=PATH         the ws-supervisor executable (default: this one)

        The command line is checked by the server's own parser: what ws-supervisor would
        refuse (a --dir that is not there, a --run-dir too long for its control socket, a bad
        --trusted-proxy block, ...) config refuses too.

        The proxy (apache, nginx):
          --public-path=/PATH/      where browsers connect (default /ws/; also --location)
          --server-name=NAME        the site's host name (a wildcard in front only: *.example.org)
          --proxy-port=[ADDR:]PORT  the proxy's plain HTTP port (default 80)
          --tls | --tls-port=[ADDR:]PORT  also serve wss:// through the proxy's TLS (default port 443;
                                    --tls=false: plain HTTP only, the default)
          --cert=FILE --key=FILE    its certificate and key, with --tls or --tls-port only (default
                                    Debian's snakeoil pair); the proxy's ports may not be each other's
                                    nor ws-supervisor's --port
          --proxy-timeout=SECONDS   idle timeout of a tunnel (default 3 ping intervals, at least 60;
                                    must be longer than --ping-interval)
          --htaccess                (apache) the .htaccess RewriteRule form instead of ProxyPass
                                    (--htaccess=false: ProxyPass, the default); it goes into a
                                    site that has its own name, ports and certificate, so it takes
                                    no --server-name, --proxy-port, --tls, --tls-port, --cert or --key

        The unit (systemd):
          --user=NAME               account to run as (default www-data, else nobody)
          --group=GROUP             its group (default the account's own)
          --shutdown-timeout=SECONDS  passed on; TimeoutStopSec is 10 s more (default 5)

        Example: ws-supervisor config apache --server-name=example.org --tls --dir=/srv/ws-apps
        """;

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            Console.Error.WriteLine("ws-supervisor config: which kind? expected apache, nginx or systemd (see ws-supervisor config --help)");
            return 2;
        }
        if (args[0] is "--help" or "-h" or "help")
        {
            Console.Out.Write(Usage);
            Console.Out.WriteLine();
            return 0;
        }
        try
        {
            var kind = ConfigParser.ParseKind(args[0]);
            if (args.Skip(1).TakeWhile(a => a != "--" && a.StartsWith('-')).Any(a => a is "--help" or "-h"))
            {
                Console.Out.Write(Usage);
                Console.Out.WriteLine();
                return 0;
            }
            var request = ConfigParser.Parse(kind, args.Skip(1).ToList());
            string madeBy = ServerCommand.ForShell(["ws-supervisor", Name, .. args]);
            string text = kind switch
            {
                ConfigKind.Apache => ApacheConfig.Write(request, madeBy),
                ConfigKind.Nginx => NginxConfig.Write(request, madeBy),
                _ => SystemdUnit.Write(request, madeBy),
            };
            Console.Out.Write(text);
            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"ws-supervisor config: {e.Message}");
            return 2;
        }
    }
}
