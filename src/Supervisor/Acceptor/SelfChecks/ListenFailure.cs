using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Supervisor.Acceptor.SelfChecks;

/// <summary>The one line printed when a listening socket cannot be bound: which address and
/// port, the kernel's own words, what is in the way and what to do about it.</summary>
public static class ListenFailure
{
    public static string Describe(IPEndPoint endpoint, string url, SocketException error)
    {
        string port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        return error.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse =>
                $"cannot listen on {url}: {error.Message}: port {port} is held by another process (perhaps another ws-supervisor; " +
                $"'ss -ltnp sport = :{port}' shows which): stop it, or choose another --port",
            SocketError.AccessDenied =>
                $"cannot listen on {url}: {error.Message}: port {port} is below 1024, which needs root or CAP_NET_BIND_SERVICE; " +
                "behind a proxy use a port such as --port=8080",
            SocketError.AddressNotAvailable =>
                $"cannot listen on {url}: {error.Message}: {endpoint.Address} is not an address of this host ('ip addr' lists them); " +
                "use --address=127.0.0.1 behind a proxy on the same host",
            _ => $"cannot listen on {url}: {error.Message}",
        };
    }
}
