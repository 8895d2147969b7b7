using System.Net.Sockets;

namespace Supervisor.Acceptor;

/// <summary>
/// How the acceptor ends every connection it answers itself (a refusal, a static file, a
/// 101 + close 1013): half-close, read and discard what the client still sends — bounded
/// in bytes and in time — then close. Closing with unread request bytes would make the
/// kernel send a reset that can destroy the answer before the client has read it.
/// </summary>
public static class LingeringClose
{
    private const int MaxDrainBytes = 64 * 1024;

    public static async Task RunAsync(Socket socket, TimeSpan wait)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var deadline = new CancellationTokenSource(wait);
            var sink = new byte[4096];
            for (int total = 0; total < MaxDrainBytes;)
            {
                int n = await socket.ReceiveAsync(sink, SocketFlags.None, deadline.Token);
                if (n == 0)
                    break;
                total += n;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone, or still talking when the time is up: done either way.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
