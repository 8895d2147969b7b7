using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// The worker's turns at writing to its client, shared with the acceptor's direct pushes
/// through the <see cref="SendGate"/>. The engine writes each frame with one call, so a
/// turn is one frame; the close frame's turn also closes the gate, so nothing the
/// acceptor pushes can follow it.
/// </summary>
public sealed class ClientWriteTurns(SendGate gate, Func<bool> giveUp) : IWriteTurns, IDisposable
{
    private const byte CloseOpcode = 0x8;

    /// <summary>True once waiting for a turn is pointless: the stream is torn down, or the
    /// acceptor has gone while holding the gate (it died mid-frame).</summary>
    public Func<bool> GiveUp => giveUp;

    public bool Take() => gate.EnterForWorker(giveUp);

    public void Give(ReadOnlySpan<byte> written)
    {
        if (!written.IsEmpty && (written[0] & 0x0F) == CloseOpcode)
            gate.Close();
        gate.ExitForWorker();
    }

    /// <summary>The session is over: no more direct pushes to this client.</summary>
    public void Dispose() => gate.Close();
}
