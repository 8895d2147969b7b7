using Supervisor.Protocol.Handshake;

namespace Supervisor.Options;

/// <summary>Who may upgrade and how many: the checks between a valid handshake and a
/// worker. --maxforks stays in <see cref="LimitOptions"/>, where websocketd users look.</summary>
/// <param name="Origin">--origin / --sameorigin.</param>
/// <param name="MaxPerIp">--max-per-ip: live connections per client address (0 = no limit).</param>
/// <param name="MaxPerUser">--max-per-user: live connections per --auth user id (0 = no limit).</param>
/// <param name="MaxSpawnRate">--max-spawn-rate: upgrades admitted per second, with a burst
/// of the same size (0 = no limit).</param>
/// <param name="LimitResponse">--limit-response: how a "retry later" refusal is answered.</param>
public sealed record AdmissionOptions(
    OriginPolicy Origin,
    int MaxPerIp,
    int MaxPerUser,
    int MaxSpawnRate,
    LimitResponse LimitResponse)
{
    public static readonly AdmissionOptions Default = new(OriginPolicy.AllowAny, 0, 0, 0, LimitResponse.Close);
}

/// <summary>How the acceptor answers an upgrade it refuses for capacity, a per-client
/// limit, the spawn rate or a lack of resources.</summary>
public enum LimitResponse
{
    /// <summary>101, then at once a close frame 1013 "Try Again Later" with the reason:
    /// what a browser's script can read (it sees 1006 for any failed handshake).</summary>
    Close,

    /// <summary>The HTTP status (503 or 429) with Retry-After, for non-browser clients
    /// and proxies that act on it.</summary>
    Http,
}
