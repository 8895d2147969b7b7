using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 4.*: reserved non-control (3–7, 4.1) and control (11–15, 4.2) opcodes
/// must fail the connection (§5.2).</summary>
public static class Group4Opcodes
{
    private const string Hello = "Hello, world!";

    public static IEnumerable<ConformanceCase> All()
    {
        foreach (var (group, opcodes, kind) in new[] { ("4.1", new byte[] { 3, 4, 5, 6, 7 }, "non-control"), ("4.2", new byte[] { 11, 12, 13, 14, 15 }, "control") })
        {
            yield return Alone($"{group}.1", $"Send frame with reserved {kind} Opcode = {opcodes[0]}.", opcodes[0], []);
            yield return Alone($"{group}.2", $"Send frame with reserved {kind} Opcode = {opcodes[1]} and non-empty payload.", opcodes[1], "reserved opcode payload"u8.ToArray());
            yield return AfterEcho($"{group}.3", $"Send small text message, then send frame with reserved {kind} Opcode = {opcodes[2]}, then send Ping.", opcodes[2], []);
            yield return AfterEcho($"{group}.4", $"Send small text message, then send frame with reserved {kind} Opcode = {opcodes[3]} and non-empty payload, then send Ping.", opcodes[3], "reserved opcode payload"u8.ToArray());
            yield return AfterEcho($"{group}.5", $"Send small text message, then send frame with reserved {kind} Opcode = {opcodes[4]} and non-empty payload, then send Ping.", opcodes[4], "reserved opcode payload"u8.ToArray());
        }
    }

    private static ConformanceCase Alone(string id, string description, byte opcode, byte[] payload) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await c.SendFrame(opcode, payload);
            c.KillAfter(1);
        });

    private static ConformanceCase AfterEcho(string id, string description, byte opcode, byte[] payload) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.Text(Hello));
            c.Expect(NonStrict);
            c.ExpectFailure(1002);
            await c.SendFrame(Opcode.Text, Hello);
            await c.SendFrame(opcode, payload);
            await c.SendFrame(Opcode.Ping);
            c.KillAfter(1);
        });
}
