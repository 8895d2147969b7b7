namespace Supervisor.Conformance.Wire;

/// <summary>RFC 6455 §5.2 opcodes, including the reserved ones the fuzzer sends on purpose.</summary>
public static class Opcode
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    public static bool IsControl(byte opcode) => opcode >= 0x8;
}
