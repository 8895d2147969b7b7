namespace Supervisor.Protocol.Frames;

/// <summary>RFC 6455 §5.2 opcodes. 0x3–0x7 and 0xB–0xF are reserved: a frame carrying one
/// fails the connection (§5.2, "MUST _Fail the WebSocket Connection_").</summary>
public enum Opcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}
