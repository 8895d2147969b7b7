using Supervisor.Protocol.Proxy;
using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>--trusted-proxy: whose X-Forwarded-For and X-Forwarded-Proto are believed.</summary>
public sealed record ProxyOptions(TrustedProxies Trusted);

/// <summary>--user and --group: the account the acceptor becomes once it has bound its
/// sockets and made the bus files; null <see cref="User"/>: it stays as started.
/// <see cref="Gid"/> is --group's, else the user's primary group.</summary>
public sealed record PrivilegeOptions(UserAccount? User, uint Gid, string? GroupName)
{
    public static readonly PrivilegeOptions None = new(null, 0, null);
}
