namespace Supervisor.Protocol.Handshake;

public enum ParseStatus
{
    /// <summary>No complete head yet ("\r\n\r\n" not seen) and nothing wrong so far.</summary>
    NeedMore,
    Complete,
    Rejected,
}

/// <summary>The outcome of one parse attempt over the bytes received so far.</summary>
public readonly record struct ParseResult(ParseStatus Status, RequestHead? Head, int Consumed, RejectionReason Reason)
{
    public static ParseResult NeedMore => new(ParseStatus.NeedMore, null, 0, RejectionReason.None);
    public static ParseResult Reject(RejectionReason reason) => new(ParseStatus.Rejected, null, 0, reason);
}
