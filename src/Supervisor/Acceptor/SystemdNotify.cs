using System.Net.Sockets;
using System.Text;
using Serilog;

namespace Supervisor.Acceptor;

/// <summary>
/// sd_notify(3) without libsystemd: with Type=notify, systemd passes a datagram socket in
/// $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@') and waits for
/// "READY=1" before it calls the service started. Taken out of the environment at once,
/// as sd_notify's unset_environment does, so no worker or app inherits it and speaks for
/// the service. A failed send is logged, never fatal: readiness is a courtesy to the
/// service manager, not a reason to stop serving. Model: Tmds.Systemd ServiceManager.Notify.
/// </summary>
public sealed class SystemdNotify : IDisposable
{
    public const string Variable = "NOTIFY_SOCKET";

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly string _name;
    private readonly ILogger _log;

    private SystemdNotify(string name, UnixDomainSocketEndPoint endpoint, ILogger log)
    {
        _name = name;
        _endpoint = endpoint;
        _log = log;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>Null when not started by systemd with Type=notify (no usable NOTIFY_SOCKET).</summary>
    public static SystemdNotify? TakeFromEnvironment(ILogger log)
    {
        string? name = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, null);
        if (string.IsNullOrEmpty(name))
            return null;
        if (name[0] != '/' && name[0] != '@')
        {
            log.Warning("{Variable}={Name} is neither a path nor an abstract socket name (@...): not notifying readiness", Variable, name);
            return null;
        }
        // Linux abstract socket names start with a NUL byte; systemd writes it as '@'.
        string address = name[0] == '@' ? "\0" + name[1..] : name;
        return new SystemdNotify(name, new UnixDomainSocketEndPoint(address), log);
    }

    /// <summary>Listening, and the bus is open: systemd may call the service started.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}\n");

    /// <summary>Shutting down: systemd shows "deactivating" instead of waiting in the dark.</summary>
    public void Stopping() => Send("STOPPING=1\nSTATUS=Closing connections\n");

    private void Send(string message)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _endpoint);
        }
        catch (SocketException e)
        {
            _log.Warning("cannot notify systemd at {Variable}={Name}: {Error}", Variable, _name, e.Message);
        }
    }

    public void Dispose() => _socket.Dispose();
}
