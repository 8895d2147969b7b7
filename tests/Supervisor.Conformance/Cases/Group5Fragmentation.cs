using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 5.*: fragmented messages (§5.4) — control frames may not be
/// fragmented but may interleave, a continuation needs something to continue, a new data
/// frame may not start inside a fragmented message; and the octet stream may be cut
/// anywhere on the wire.</summary>
public static class Group5Fragmentation
{
    public static IEnumerable<ConformanceCase> All()
    {
        yield return FragmentedControl("5.1", "Send Ping fragmented into 2 fragments.", Opcode.Ping);
        yield return FragmentedControl("5.2", "Send Pong fragmented into 2 fragments.", Opcode.Pong);
        yield return TwoFragments("5.3", "Send text Message fragmented into 2 fragments.", 0, false);
        yield return TwoFragments("5.4", "Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.", 0, true);
        yield return TwoFragments("5.5", "Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.", 1, true);
        yield return PingBetween("5.6", "Send text Message fragmented into 2 fragments, one ping with payload in-between.", 0, false);
        yield return PingBetween("5.7", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.", 0, true);
        yield return PingBetween("5.8", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.", 1, true);
        yield return NothingToContinue("5.9", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is no fragmented message to continue.", fin: true, 0, false);
        yield return NothingToContinue("5.10", "Same as 5.9, octets sent in frame-wise chops.", fin: true, 0, true);
        yield return NothingToContinue("5.11", "Same as 5.9, octets sent in octet-wise chops.", fin: true, 1, true);
        yield return NothingToContinue("5.12", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is no fragmented message to continue.", fin: false, 0, false);
        yield return NothingToContinue("5.13", "Same as 5.12, octets sent in frame-wise chops.", fin: false, 0, true);
        yield return NothingToContinue("5.14", "Same as 5.12, octets sent in octet-wise chops.", fin: false, 1, true);
        yield return new("5.15", "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.", async c =>
        {
            c.Expect(Ok, WsEvent.Text("fragment1fragment2"));
            c.Expect(NonStrict);
            c.ExpectFailure(1002);
            await Frames(c, (Opcode.Text, false, "fragment1"), (Opcode.Continuation, true, "fragment2"),
                (Opcode.Continuation, false, "fragment3"), (Opcode.Text, true, "fragment4"));
            c.KillAfter(1);
        });
        yield return Repeated("5.16", "Repeated 2x: Continuation Frame with FIN = false (where there is nothing to continue), then text Message fragmented into 2 fragments.", fin: false);
        yield return Repeated("5.17", "Repeated 2x: Continuation Frame with FIN = true (where there is nothing to continue), then text Message fragmented into 2 fragments.", fin: true);
        yield return new("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.", async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await Frames(c, (Opcode.Text, false, "fragment1"), (Opcode.Text, true, "fragment2"));
            c.KillAfter(1);
        });
        yield return PingsAcrossWait("5.19", "A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment. Everything is legal.", sync: false);
        yield return PingsAcrossWait("5.20", "Same as Case 5.19, but send all frames with SYNC = True.", sync: true);
    }

    private static async Task Frames(CaseRun c, params (byte Opcode, bool Fin, string Payload)[] frames)
    {
        var all = new MemoryStream();
        foreach (var (opcode, fin, payload) in frames)
            all.Write(FrameBuilder.Build(opcode, System.Text.Encoding.UTF8.GetBytes(payload), fin));
        await c.Client.SendRawAsync(all.ToArray());
    }

    private static ConformanceCase FragmentedControl(string id, string description, byte opcode) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await c.SendFrame(opcode, "fragment1", fin: false);
            await c.SendFrame(Opcode.Continuation, "fragment2");
            c.KillAfter(1);
        });

    private static ConformanceCase TwoFragments(string id, string description, int chopSize, bool sync) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.Text("fragment1fragment2"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, "fragment1", fin: false, chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Continuation, "fragment2", chopSize: chopSize, sync: sync);
            c.KillAfter(1);
        });

    private static ConformanceCase PingBetween(string id, string description, int chopSize, bool sync) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.PongOf("pongme!"), WsEvent.Text("fragment1fragment2"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, "fragment1", fin: false, chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Ping, "pongme!", chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Continuation, "fragment2", chopSize: chopSize, sync: sync);
            c.KillAfter(1);
        });

    private static ConformanceCase NothingToContinue(string id, string description, bool fin, int chopSize, bool sync) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            await c.SendFrame(Opcode.Continuation, "non-continuation payload", fin: fin, chopSize: chopSize, sync: sync);
            await c.SendFrame(Opcode.Text, "Hello, world!", chopSize: chopSize, sync: sync);
            c.KillAfter(1);
        });

    private static ConformanceCase Repeated(string id, string description, bool fin) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1002);
            for (int i = 0; i < 2; i++)
                await Frames(c, (Opcode.Continuation, fin, "fragment1"), (Opcode.Text, false, "fragment2"), (Opcode.Continuation, true, "fragment3"));
            c.KillAfter(1);
        });

    private static ConformanceCase PingsAcrossWait(string id, string description, bool sync) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.PongOf("pongme 1!"), WsEvent.PongOf("pongme 2!"), WsEvent.Text("fragment1fragment2fragment3fragment4fragment5"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, "fragment1", fin: false, sync: sync);
            await c.SendFrame(Opcode.Continuation, "fragment2", fin: false, sync: sync);
            await c.SendFrame(Opcode.Ping, "pongme 1!", sync: sync);
            await c.Wait(1);
            await c.SendFrame(Opcode.Continuation, "fragment3", fin: false, sync: sync);
            await c.SendFrame(Opcode.Continuation, "fragment4", fin: false, sync: sync);
            await c.SendFrame(Opcode.Ping, "pongme 2!", sync: sync);
            await c.SendFrame(Opcode.Continuation, "fragment5", sync: sync);
            c.CloseAfter(1);
        }) { TimeoutSeconds = 15 };
}
