using System.Globalization;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

public enum ProxyKind { Apache, Nginx }

/// <summary>
/// One deployment as the docs describe it, on loopback ports: `ws-supervisor config` is
/// asked for the proxy's snippet, ws-supervisor is started with the command line that
/// snippet prints, and the real proxy runs with the snippet included as it is.
/// The backend is the repository's worker-scripts (echo.sh, env.sh) at /ws/NAME.
/// </summary>
public sealed class ProxyRig : IDisposable
{
    private readonly string _dir;
    private readonly ProxyProcess _proxy;

    private ProxyRig(ProxyKind kind, string dir, int[] ports, IReadOnlyList<string> serverArgs, SupervisorProcess server,
        ProxyProcess proxy)
    {
        Kind = kind;
        _dir = dir;
        BackendPort = ports[0];
        HttpPort = ports[1];
        TlsPort = ports[2];
        HtaccessPort = ports[3];
        ServerArgs = serverArgs;
        Server = server;
        _proxy = proxy;
    }

    public ProxyKind Kind { get; }

    /// <summary>ws-supervisor's port, the proxy's plain and TLS ports, and (Apache) the port
    /// of the virtual host whose .htaccess is the RewriteRule form.</summary>
    public int BackendPort { get; }

    public int HttpPort { get; }

    public int TlsPort { get; }

    public int HtaccessPort { get; }

    /// <summary>The ws-supervisor arguments the snippet printed (without --port).</summary>
    public IReadOnlyList<string> ServerArgs { get; }

    public SupervisorProcess Server { get; private set; }

    public string RunDir => Path.Combine(_dir, "run");

    public string FifoPath => Path.Combine(RunDir, "global.fifo");

    public string ProxyLog => _proxy.ErrorLog;

    public Uri Url(string app, bool tls = false) => new($"{(tls ? "wss" : "ws")}://127.0.0.1:{(tls ? TlsPort : HttpPort)}/ws/{app}");

    public static ProxyRig Start(ProxyKind kind, int pingSeconds, int proxyTimeoutSeconds)
    {
        string dir = Directory.CreateTempSubdirectory($"ws-supervisor-{kind.ToString().ToLowerInvariant()}-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
        SupervisorProcess? server = null;
        try
        {
            var (cert, key) = TestCertificate.Write(dir);
            int[] ports = ProxyProcess.FreePorts(4);
            string backend = ports[0].ToString(CultureInfo.InvariantCulture);
            string[] common =
            [
                $"--port={backend}", $"--ping-interval={pingSeconds}", $"--proxy-timeout={proxyTimeoutSeconds}",
                $"--dir={Paths.WorkerScripts}",
            ];
            string snippet = GeneratedConfig.Print(
            [
                kind == ProxyKind.Apache ? "apache" : "nginx", .. common, "--server-name=localhost",
                $"--proxy-port=127.0.0.1:{ports[1]}", $"--tls-port=127.0.0.1:{ports[2]}", $"--cert={cert}", $"--key={key}",
            ]);
            var serverArgs = GeneratedConfig.ServerArguments(snippet, ports[0]);
            serverArgs.Add($"--run-dir={Path.Combine(dir, "run")}");
            server = SupervisorProcess.Start(serverArgs, port: ports[0]);

            var proxy = kind == ProxyKind.Apache
                ? ApacheServer.Start(dir, snippet, (ports[1], ports[2]),
                    GeneratedConfig.Print(["apache", "--htaccess", .. common]), ports[3], proxyTimeoutSeconds)
                : NginxServer.Start(dir, snippet, (ports[1], ports[2]));
            return new ProxyRig(kind, dir, ports, serverArgs, server, proxy);
        }
        catch
        {
            server?.Dispose();
            TryDelete(dir);
            throw;
        }
    }

    /// <summary>SIGTERM to ws-supervisor, as `systemctl restart` sends; returns once it has exited.</summary>
    public void StopServer()
    {
        Assert.True(Server.Signal(Signals.SIGTERM), "ws-supervisor was not running");
        Assert.NotNull(Server.WaitForExit(TimeSpan.FromSeconds(15)));
        Server.Dispose();
    }

    /// <summary>Starts ws-supervisor again with the same command line on the same port.</summary>
    public void StartServer() => Server = SupervisorProcess.Start(ServerArgs, port: BackendPort);

    public void Dispose()
    {
        _proxy.Dispose();
        Server.Dispose();
        TryDelete(_dir);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
