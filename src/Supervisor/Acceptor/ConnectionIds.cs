using System.Security.Cryptography;

namespace Supervisor.Acceptor;

/// <summary>Connection ids: 16 hex digits from the CSPRNG. Unguessable, because the bus
/// can address a connection by its id.</summary>
public static class ConnectionIds
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
