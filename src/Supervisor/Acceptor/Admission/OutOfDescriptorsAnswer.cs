using System.Net;
using System.Net.Sockets;
using Serilog;
using Supervisor.Options;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Acceptor.Admission;

/// <summary>
/// The answer to a connection accepted into the reserve fd while the process is out of
/// fds (<see cref="DescriptorReserve"/>): no worker can start, so it is told "retry
/// later" like a full server — 101 and close 1013 when its head is already there and
/// valid (and --limit-response=close), else 503 with Retry-After at once. Every wait is
/// short, because the reserve serves one connection at a time and the ones queued
/// behind it in the backlog wait meanwhile.
/// </summary>
public sealed class OutOfDescriptorsAnswer(ServerOptions options, ClientReadiness readiness, ILogger log)
{
    /// <summary>A browser sends its head with the connection, and a connection waiting in
    /// the backlog has long had time to arrive; a client silent this long is not waited for.</summary>
    private static readonly TimeSpan HeadWait = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan CloseReplyWait = TimeSpan.FromMilliseconds(250);

    public async Task SendAsync(Socket socket)
    {
        try
        {
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            var read = await HeadReader.ReadAsync(socket, readiness, options.Limits.MaxHeadBytes, HeadWait);
            if (options.Admission.LimitResponse == LimitResponse.Close && read.Head is { } head
                && HandshakeValidator.Validate(head, out var request) == RejectionReason.None && request is not null)
            {
                await LimitAnswer.SendAsync(socket, remote, request, RejectionReason.NoFileDescriptors, options.App.Headers, log,
                    CloseReplyWait);
                return;
            }
            log.Information("rejected {Remote} {Target}: {Status} {Reason}", remote, read.Head?.Target ?? "-", 503,
                RejectionReason.NoFileDescriptors);
            await socket.SendAsync(HttpResponses.Rejection(RejectionReason.NoFileDescriptors, null, options.App.Headers), SocketFlags.None);
            // HeadReader took every byte it saw, so closing now leaves nothing unread to turn
            // the FIN into a reset; bytes that arrive later may, which the client asked for.
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // Gone already: nothing is owed.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
