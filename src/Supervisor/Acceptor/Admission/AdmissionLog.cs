using Serilog;
using Supervisor.Options;

namespace Supervisor.Acceptor.Admission;

/// <summary>One startup line saying which admission checks are on, so an operator reading
/// the log knows why a client was refused without reading the command line.</summary>
public static class AdmissionLog
{
    public static void Describe(ServerOptions options, ILogger log)
    {
        var admission = options.Admission;
        string origin = admission.Origin.IsEnabled
            ? string.Join(" and ", new[]
            {
                admission.Origin.SameOrigin ? "same origin as Host" : null,
                admission.Origin.Allowed.Count > 0 ? string.Join(",", admission.Origin.Allowed) : null,
            }.Where(p => p is not null))
            : "any (no --origin/--sameorigin: any web page may connect with its visitors' cookies)";
        log.Information(
            "Admission: origin {Origin}; maxforks={MaxForks} max-per-ip={MaxPerIp} max-per-user={MaxPerUser} " +
            "max-spawn-rate={MaxSpawnRate}/s (0 = no limit); limits answered with {LimitResponse}; idle-timeout={IdleTimeout}s",
            origin, options.Limits.MaxForks, admission.MaxPerIp, admission.MaxPerUser, admission.MaxSpawnRate,
            admission.LimitResponse == LimitResponse.Close ? "101 + close 1013" : "HTTP 503/429",
            options.Session.IdleSeconds);
    }
}
