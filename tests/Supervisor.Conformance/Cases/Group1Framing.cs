using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 1.*: text (1.1) and binary (1.2) messages of boundary lengths — 125
/// and 126 switch to the 16-bit length, 65535 and 65536 to the 64-bit one.</summary>
public static class Group1Framing
{
    private static readonly int[] Lengths = [0, 125, 126, 127, 128, 65535, 65536, 65536];

    public static IEnumerable<ConformanceCase> All()
    {
        for (int i = 0; i < Lengths.Length; i++)
        {
            yield return Echo($"1.1.{i + 1}", binary: false, Lengths[i], chopSize: i == 7 ? 997 : 0);
            yield return Echo($"1.2.{i + 1}", binary: true, Lengths[i], chopSize: i == 7 ? 997 : 0);
        }
    }

    private static ConformanceCase Echo(string id, bool binary, int length, int chopSize) =>
        new(id, $"Send {(binary ? "binary" : "text")} message with payload of length {length}{(chopSize > 0 ? $", sent in chops of {chopSize} octets" : "")}.",
            async c =>
            {
                byte[] payload = binary ? FrameBuilder.Repeat([0xFE], length) : FrameBuilder.Repeat("*"u8, length);
                c.Expect(Ok, WsEvent.Message(payload, binary));
                c.ExpectClose(true, [1000], true);
                await c.SendFrame(binary ? Opcode.Binary : Opcode.Text, payload, chopSize: chopSize);
                c.KillAfter(length > 1000 ? 10 : 1);
            });
}
