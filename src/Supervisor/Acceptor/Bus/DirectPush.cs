using System.Net.Sockets;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The acceptor's own way to one client: its copy of the client socket, kept after the
/// hand-over, and the <see cref="SendGate"/> it shares with the worker. A pushed message
/// written here costs one send(2); through the worker it cost a wake-up of the worker's
/// process, ~4 times the CPU, paid once per client for every broadcast line.
/// </summary>
/// <remarks>Never waits: if the worker is writing, if it still has messages from the
/// channel to write, or if the socket has no room, <see cref="TryWrite"/> says
/// <see cref="Outcome.NotNow"/> and the message goes over the channel as before. Only a
/// frame the socket took part of is finished later, as room appears, holding the gate
/// meanwhile so nothing can come between its parts.</remarks>
public sealed class DirectPush(Socket client, SendGate gate, ClientReadiness readiness) : IDisposable
{
    // Ends a wait for room when the connection ends under it: once its worker is gone too,
    // closing our copy frees the socket, which leaves the epoll without a report.
    private readonly CancellationTokenSource _ended = new();

    public enum Outcome
    {
        /// <summary>The whole frame is in the socket.</summary>
        Written,

        /// <summary>Nothing was written; send it over the channel.</summary>
        NotNow,

        /// <summary>Part of it is in the socket; the rest follows (see the out task).</summary>
        Finishing,
    }

    /// <summary>Writes <paramref name="text"/> to the client now if the gate lets it
    /// (<paramref name="sentViaChannel"/>: what this connection's outbox has sent the worker
    /// over the channel so far, which the worker must have written first).</summary>
    public Outcome TryWrite(PushedText text, int sentViaChannel, out Task finishing)
    {
        finishing = Task.CompletedTask;
        if (!gate.TryEnterForAcceptor(sentViaChannel))
            return Outcome.NotNow;
        byte[] frame = text.ClientFrame;
        int sent = NonBlockingSend.TrySend(client, frame);
        if (sent == frame.Length)
        {
            gate.CountDirect(text.Length);
            gate.ExitForAcceptor();
            return Outcome.Written;
        }
        if (sent <= 0)
        {
            gate.ExitForAcceptor(); // full, or gone (the worker finds out itself)
            return Outcome.NotNow;
        }
        finishing = FinishAsync(frame, sent, text.Length);
        return Outcome.Finishing;
    }

    private async Task FinishAsync(byte[] frame, int sent, int payloadLength)
    {
        try
        {
            while (sent < frame.Length)
            {
                await readiness.WhenWritableAsync(client, _ended.Token);
                int more = NonBlockingSend.TrySend(client, frame.AsSpan(sent));
                if (more < 0)
                    return; // gone, or shut down by the worker ending the connection
                sent += more;
            }
            gate.CountDirect(payloadLength);
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended under the wait.
        }
        finally
        {
            gate.ExitForAcceptor();
        }
    }

    /// <summary>Closes the acceptor's copy of the socket (the worker's keeps the connection
    /// open while it serves it). Once the outbox has stopped, or its worker is gone.</summary>
    public void Dispose()
    {
        _ended.Cancel();
        client.Dispose();
    }
}
