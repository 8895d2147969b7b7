using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 3.*: RSV bits set with no extension agreed must fail the connection
/// (§5.2). Where a valid message precedes the bad frame, its echo racing the failure is
/// NON-STRICT: the app, a separate process, may answer after the engine has closed.</summary>
public static class Group3ReservedBits
{
    private const string Hello = "Hello, world!";

    public static IEnumerable<ConformanceCase> All()
    {
        yield return new("3.1", "Send small text message with RSV = 1.", async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await c.SendFrame(Opcode.Text, Hello, rsv: 1);
            c.KillAfter(1);
        });
        yield return EchoThenBad("3.2", "Send small text message, then send again with RSV = 2, then send Ping.", 2, chopSize: 0, sync: false);
        yield return EchoThenBad("3.3", "Send small text message, then send again with RSV = 3, then send Ping. Octets are sent in frame-wise chops.", 3, chopSize: 0, sync: true);
        yield return EchoThenBad("3.4", "Send small text message, then send again with RSV = 4, then send Ping. Octets are sent in octet-wise chops.", 4, chopSize: 1, sync: false);
        yield return BadAlone("3.5", "Send small binary message with RSV = 5.", Opcode.Binary, [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF], 5);
        yield return BadAlone("3.6", "Send Ping with RSV = 6.", Opcode.Ping, "Hello, world!"u8.ToArray(), 6);
        yield return BadAlone("3.7", "Send Close with RSV = 7.", Opcode.Close, [], 7);
    }

    private static ConformanceCase EchoThenBad(string id, string description, int rsv, int chopSize, bool sync) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.Text(Hello));
            c.Expect(NonStrict);
            c.ExpectFailure(1002);
            await c.SendFrame(Opcode.Text, Hello, chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Text, Hello, rsv: rsv, chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Ping, chopSize: chopSize, sync: sync);
            c.KillAfter(1);
        });

    private static ConformanceCase BadAlone(string id, string description, byte opcode, byte[] payload, int rsv) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await c.SendFrame(opcode, payload, rsv: rsv);
            c.KillAfter(1);
        });
}
