using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 2.*: pings answered with pongs carrying the same payload (§5.5.2,
/// §5.5.3), oversized pings failing the connection, unsolicited pongs ignored.</summary>
public static class Group2PingPong
{
    public static IEnumerable<ConformanceCase> All()
    {
        yield return PingEchoed("2.1", "Send ping without payload.", []);
        yield return PingEchoed("2.2", "Send ping with small text payload.", "Hello, world!"u8.ToArray());
        yield return PingEchoed("2.3", "Send ping with small binary (non UTF-8) payload.", [0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF]);
        yield return PingEchoed("2.4", "Send ping with binary payload of 125 octets.", FrameBuilder.Repeat([0xFE], 125));
        yield return new("2.5", "Send ping with binary payload of 126 octets.", async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002); // §5.5: control frame payloads are at most 125 bytes
            await c.SendFrame(Opcode.Ping, FrameBuilder.Repeat([0xFE], 126));
            c.KillAfter(1);
        });
        yield return PingEchoed("2.6", "Send ping with binary payload of 125 octets, sent in octet-wise chops.", FrameBuilder.Repeat([0xFE], 125), chopSize: 1);
        yield return Unsolicited("2.7", "Send unsolicited pong without payload. Verify nothing is received.", []);
        yield return Unsolicited("2.8", "Send unsolicited pong with payload. Verify nothing is received.", "unsolicited pong payload"u8.ToArray());
        yield return new("2.9", "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.", async c =>
        {
            c.Expect(Ok, WsEvent.PongOf("ping payload"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Pong, "unsolicited pong payload");
            await c.SendFrame(Opcode.Ping, "ping payload");
            c.CloseAfter(1);
        });
        yield return TenPings("2.10", "Send 10 Pings with payload.", chopSize: 0);
        yield return TenPings("2.11", "Send 10 Pings with payload. Send out octets in octet-wise chops.", chopSize: 1);
    }

    private static ConformanceCase PingEchoed(string id, string description, byte[] payload, int chopSize = 0) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.PongOf(payload));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Ping, payload, chopSize: chopSize);
            c.CloseAfter(1);
        });

    private static ConformanceCase Unsolicited(string id, string description, byte[] payload) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Pong, payload);
            c.CloseAfter(1);
        });

    private static ConformanceCase TenPings(string id, string description, int chopSize) =>
        new(id, description, async c =>
        {
            var pongs = Enumerable.Range(0, 10).Select(i => WsEvent.PongOf($"payload-{i}")).ToArray();
            c.Expect(Ok, pongs);
            c.ExpectClose(true, [1000], true);
            for (int i = 0; i < 10; i++)
                await c.SendFrame(Opcode.Ping, $"payload-{i}", chopSize: chopSize);
            c.CloseAfter(3);
        });
}
