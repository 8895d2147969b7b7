using Supervisor.Protocol.Handshake;

namespace Supervisor.Options;

/// <summary>The admission flags: origin checks and the per-client, per-user and rate limits.</summary>
public static partial class OptionsParser
{
    private static AdmissionOptions ParseAdmission(Dictionary<string, List<string>> values)
    {
        OriginPolicy origin;
        var origins = values.TryGetValue("origin", out var list)
            ? list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];
        // An empty list is no policy at all: "any origin", the opposite of what was asked.
        if (list is not null && origins.Count == 0)
            throw new UsageException($"--origin={string.Join(',', list)} names no origin: give HOST[:PORT][,...]; without --origin every origin is accepted");
        try
        {
            origin = OriginPolicy.Create(origins, ParseBool(values, "sameorigin"));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--origin={e.Message}");
        }

        int maxPerUser = ParseInt(values, "max-per-user", 0, 0, int.MaxValue);
        if (maxPerUser > 0 && Single(values, "auth") is null)
            throw new UsageException("--max-per-user needs --auth: only the auth program knows who the user is");
        string response = Single(values, "limit-response") ?? "close";
        return new AdmissionOptions(
            origin,
            ParseInt(values, "max-per-ip", 0, 0, int.MaxValue),
            maxPerUser,
            ParseInt(values, "max-spawn-rate", 0, 0, 1_000_000),
            response switch
            {
                "close" => LimitResponse.Close,
                "http" => LimitResponse.Http,
                _ => throw new UsageException($"--limit-response={response}: expected close or http"),
            });
    }

    /// <summary>websocketd's boolean flags: bare (<c>--sameorigin</c>) or <c>=true</c>/<c>=false</c>.</summary>
    private static bool ParseBool(Dictionary<string, List<string>> values, string name)
    {
        string? text = Single(values, name);
        return text switch
        {
            null or "false" or "0" => false,
            "true" or "1" => true,
            _ => throw new UsageException($"--{name}={text}: expected true or false"),
        };
    }
}
