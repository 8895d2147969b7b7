namespace Supervisor.Worker;

/// <summary>Why a session ended: recorded once, by the first side to finish, and logged
/// once. Numbered by subsystem: 1xx the client, 2xx the app, 3xx the server.</summary>
public enum EndReason
{
    ClientClosed = 100,
    ClientVanished = 101,
    ProtocolError = 102,
    MessageTooBig = 103,
    UnsupportedData = 104,

    AppExited = 200,
    AppCrashed = 201,
    AppCouldNotStart = 202,
    AppLineTooLong = 203,
    AppFramingError = 204,
    CgiRunTimedOut = 205,
    CgiReplyTooLong = 206,
    AppClosedStdout = 207,

    ShuttingDown = 300,
    IdleTimeout = 301,
}

public static class EndReasons
{
    /// <summary>The close code this side sends for a reason (RFC 6455 §7.4.1), or null when
    /// the client's own code is echoed or no close frame can be sent.</summary>
    public static int? CloseCode(EndReason reason) => reason switch
    {
        EndReason.ClientClosed => null,       // echo the client's code
        EndReason.ClientVanished => null,     // nobody to tell (the client sees 1006)
        EndReason.ProtocolError => null,      // the engine has already sent 1002/1007
        EndReason.MessageTooBig => 1009,
        EndReason.UnsupportedData => 1003,
        EndReason.AppExited => 1000,
        EndReason.AppCrashed => 1011,
        EndReason.AppCouldNotStart => 1011,
        EndReason.AppLineTooLong => 1011,
        EndReason.AppFramingError => 1011,
        EndReason.CgiRunTimedOut => 1011,
        EndReason.CgiReplyTooLong => 1011,
        // 1000: an app that closes its stdout has said all it will say, as one that exits 0.
        // (websocketd sends no close frame at all there: its clients see 1006.)
        EndReason.AppClosedStdout => 1000,
        EndReason.ShuttingDown => 1001,
        // 1000, not 1001 or 1008: nothing failed and nobody misbehaved; and the usual
        // client rule "reconnect unless the close was normal" then leaves an idle tab
        // closed instead of reconnecting it at once, which would defeat the timeout.
        EndReason.IdleTimeout => 1000,
        _ => 1011,
    };

    /// <summary>The close frame's reason text (at most 123 bytes, §5.5.1).</summary>
    public static string CloseText(EndReason reason) => reason switch
    {
        EndReason.MessageTooBig => "message exceeds --max-message",
        EndReason.UnsupportedData => "binary messages are not accepted in line mode",
        EndReason.AppExited => "",
        EndReason.AppCrashed => "app failed",
        EndReason.AppCouldNotStart => "app could not be started",
        EndReason.AppLineTooLong => "app output line exceeds --max-message",
        EndReason.AppFramingError => "app output breaks the exact framing",
        EndReason.CgiRunTimedOut => "app run exceeded --cgi-timeout",
        EndReason.CgiReplyTooLong => "app reply exceeds --max-message",
        EndReason.AppClosedStdout => "app closed its stdout",
        EndReason.ShuttingDown => "going away",
        EndReason.IdleTimeout => "idle timeout",
        _ => "",
    };
}
