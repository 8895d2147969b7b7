namespace Supervisor.Unix;

/// <summary>
/// Turns at writing to a socket that another process writes to as well, so that what each
/// write call sends (a whole WebSocket frame) reaches the peer unbroken.
/// </summary>
public interface IWriteTurns
{
    /// <summary>Before a write: waits for this side's turn. False fails the write instead
    /// (the connection is being torn down).</summary>
    bool Take();

    /// <summary>After the write, whether it went out or failed, with what it was to send.</summary>
    void Give(ReadOnlySpan<byte> written);
}
