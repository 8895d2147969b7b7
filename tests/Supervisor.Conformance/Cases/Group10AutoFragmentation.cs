using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 10.*: a message fragmented by the sender's own frame size (here
/// 1300 bytes, as Autobahn's autoFragmentSize) comes back whole.</summary>
public static class Group10AutoFragmentation
{
    public static IEnumerable<ConformanceCase> All()
    {
        yield return new("10.1.1", "Send text message with payload of length 65536 auto-fragmented with autoFragmentSize = 1300.", async c =>
        {
            byte[] payload = FrameBuilder.Repeat("*"u8, 65536);
            c.Expect(Ok, WsEvent.Message(payload, binary: false));
            c.ExpectClose(true, [1000], true);
            await c.SendMessage(payload, binary: false, fragmentSize: 1300);
            c.KillAfter(10);
        }) { TimeoutSeconds = 15 };
    }
}
