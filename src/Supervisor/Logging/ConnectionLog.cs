using Serilog;

namespace Supervisor.Logging;

/// <summary>A logger whose every line names one connection: its id and remote address,
/// as properties (JSON) and in the text line's tag, as a worker's lines do.</summary>
public static class ConnectionLog
{
    /// <summary>The text format's " ID ADDR" after the role and pid (LogSetup's template).</summary>
    public const string TextTag = "ConnectionTag";

    public static ILogger For(ILogger log, string connectionId, string remoteAddress) =>
        log.ForContext("ConnectionId", connectionId)
            .ForContext("RemoteAddress", remoteAddress)
            .ForContext(TextTag, $" {connectionId} {remoteAddress}");
}
