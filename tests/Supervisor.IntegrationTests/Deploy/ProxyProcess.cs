using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// A proxy (Apache or nginx) run in the foreground as a child of the test, with its
/// config, pid file and logs in a folder of the test's own: never the system service.
/// Ready once every port it was given accepts connections; Dispose stops it by pid
/// (SIGTERM, then SIGKILL for it and any child it left).
/// </summary>
public sealed class ProxyProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly string _errorLog;
    private readonly HashSet<ProcTree.ProcessId> _children = [];

    private ProxyProcess(Process process, string errorLog)
    {
        _process = process;
        _errorLog = errorLog;
    }

    public int Pid => _process.Id;

    /// <summary>The proxy's own error log, for failure messages.</summary>
    public string ErrorLog => File.Exists(_errorLog) ? File.ReadAllText(_errorLog) : "(no error log)";

    public static ProxyProcess Start(string binary, IEnumerable<string> args, string errorLog, IReadOnlyList<int> ports)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {binary}");
        process.StandardInput.Close();
        var output = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var proxy = new ProxyProcess(process, errorLog);
        var deadline = DateTime.UtcNow + StartTimeout;
        foreach (int port in ports)
        {
            while (!Accepts(port))
            {
                if (process.HasExited || DateTime.UtcNow >= deadline)
                {
                    string why = process.HasExited ? $"exited with {process.ExitCode}" : $"port {port} not open within {StartTimeout}";
                    string said;
                    lock (output)
                        said = string.Join('\n', output);
                    string log = proxy.ErrorLog;
                    proxy.Dispose();
                    throw new InvalidOperationException($"{Path.GetFileName(binary)} did not start ({why}); its output:\n{said}\nits error log:\n{log}");
                }
                Thread.Sleep(20);
            }
        }
        proxy.RememberChildren();
        return proxy;
    }

    private static bool Accepts(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void RememberChildren()
    {
        if (!_process.HasExited)
            _children.UnionWith(ProcTree.Descendants(_process.Id));
    }

    public void Dispose()
    {
        try
        {
            RememberChildren();
            if (!_process.HasExited)
            {
                Signals.Send(_process.Id, Signals.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    Signals.Send(_process.Id, Signals.SIGKILL);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            foreach (var child in _children)
            {
                if (ProcTree.IsSameProcess(child))
                    Signals.Send(child.Pid, Signals.SIGKILL);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Loopback ports free right now, all different (held together, then released;
    /// the servers bind them next).</summary>
    public static int[] FreePorts(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
