namespace Supervisor.Protocol.Handshake;

/// <summary>The one table from a rejection reason to what the client is told.</summary>
public static class Rejections
{
    public static int StatusCode(RejectionReason reason) => throw new NotImplementedException();

    /// <summary>A short, human-readable one-line text for the response body and the log.</summary>
    public static string Describe(RejectionReason reason) => throw new NotImplementedException();
}
