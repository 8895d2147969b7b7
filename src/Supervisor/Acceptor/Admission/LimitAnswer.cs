using System.Net;
using System.Net.Sockets;
using Serilog;
using Supervisor.Protocol.Frames;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Acceptor.Admission;

/// <summary>
/// The default answer to a "retry later" refusal (--limit-response=close): a complete
/// 101 followed at once by a close frame 1013 (Try Again Later) whose reason is the
/// refusal's text, written by the acceptor itself with no worker spawned. A browser
/// cannot read the status of a failed handshake — script sees close code 1006 whether
/// the server is full or broken — but it reads a close frame's code and reason, so a
/// page can back off and retry instead of reporting an error.
/// </summary>
public static class LimitAnswer
{
    /// <summary>How long the client gets to answer our close frame before the socket goes.</summary>
    public static readonly TimeSpan CloseReplyWait = TimeSpan.FromSeconds(1);

    public static async Task SendAsync(Socket socket, IPEndPoint remote, WebSocketRequest request, RejectionReason reason,
        IReadOnlyList<string> extraHeaders, ILogger log, TimeSpan? replyWait = null)
    {
        log.Information("refused {Remote} {Target}: 101 then close {CloseCode} {Reason}",
            remote, request.Head.Target, CloseFrame.TryAgainLater, reason);
        // As for an accepted upgrade: a browser fails a handshake that offered subprotocols
        // and got none back (with 1006, which is what this answer exists to avoid).
        string? subprotocol = request.Subprotocols.Count > 0 ? request.Subprotocols[0] : null;
        byte[] head = HttpResponses.SwitchingProtocols(AcceptKey.Compute(request.Key), subprotocol, null, extraHeaders);
        byte[] close = CloseFrame.Server(CloseFrame.TryAgainLater, Rejections.Describe(reason));
        byte[] answer = [.. head, .. close];
        try
        {
            await socket.SendAsync(answer, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            socket.Dispose(); // the client is gone: nobody to tell
            return;
        }
        // RFC 6455 §7.1.1: the server closes the TCP connection first; reading until the
        // client's close frame and FIN (bounded) leaves no unread bytes to turn our close
        // into a reset that could destroy the frame.
        await LingeringClose.RunAsync(socket, replyWait ?? CloseReplyWait);
    }
}
