using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 7.*: the closing handshake (§5.5.1, §7): nothing is processed after a
/// close, close payloads are a 2-byte code and a UTF-8 reason of at most 123 bytes, only
/// the codes of §7.4 may be sent, and a valid code is answered (with it or with 1000).</summary>
public static class Group7Close
{
    private static readonly int[] ValidCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
    private static readonly int[] InvalidCodes = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

    public static IEnumerable<ConformanceCase> All()
    {
        yield return new("7.1.1", "Send a message followed by a close frame.", async c =>
        {
            c.Expect(Ok, WsEvent.Text("Hello World!"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, "Hello World!");
            c.KillAfter(1);
        });
        yield return AfterClose("7.1.2", "Send two close frames.", c => c.Client.SendRawAsync(FrameBuilder.Close(1000)));
        yield return AfterClose("7.1.3", "Send a ping after close message.", c => c.SendFrame(Opcode.Ping));
        yield return AfterClose("7.1.4", "Send text message after sending a close frame.", c => c.SendFrame(Opcode.Text, "Hello World!"));
        yield return new("7.1.5", "Send message fragment1 followed by close then fragment.", async c =>
        {
            c.SuppressClose = true;
            c.Expect(Ok);
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, "fragment1", fin: false);
            await c.SendClose(1000);
            await c.SendFrame(Opcode.Continuation, "fragment2");
            c.KillAfter(1);
        });
        yield return new("7.1.6", "Send 256K message followed by close then a ping.", async c =>
        {
            // Implementation-defined: whether the message is answered before the close.
            c.SuppressClose = true;
            c.Verdict = Informational;
            c.Expect(Ok, WsEvent.Text("Hello World!"));
            c.ExpectClose(true, [1000], true);
            await c.SendFrame(Opcode.Text, FrameBuilder.Repeat("BAsd7&jh23"u8, 256 * 1024));
            await c.SendFrame(Opcode.Text, "Hello World!");
            await c.SendClose(1000);
            await c.SendFrame(Opcode.Ping);
            c.KillAfter(1);
        });
        yield return CloseWith("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason).", [], [1000], clean: true);
        yield return CloseWith("7.3.2", "Send a close frame with payload length 1.", [0x00], [1002], clean: false);
        yield return CloseWith("7.3.3", "Send a close frame with payload length 2 (regular close with a code).", Code(1000), [1000], clean: true);
        yield return CloseWith("7.3.4", "Send a close frame with close code and close reason.", [.. Code(1000), .. "Hello World!"u8], [1000], clean: true);
        yield return CloseWith("7.3.5", "Send a close frame with close code and close reason of maximum length (123).",
            [.. Code(1000), .. FrameBuilder.Repeat("*"u8, 123)], [1000], clean: true);
        yield return CloseWith("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets.",
            [.. Code(1000), .. FrameBuilder.Repeat("*"u8, 124)], [1002], clean: false);
        yield return CloseWith("7.5.1", "Send a close frame with invalid UTF8 payload.",
            [.. Code(1000), 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, .. "edited"u8], [1002, 1007], clean: false);
        for (int i = 0; i < ValidCodes.Length; i++)
            yield return CloseWith($"7.7.{i + 1}", $"Send close with valid close code {ValidCodes[i]}.", Code(ValidCodes[i]), [1000, ValidCodes[i]], clean: true);
        for (int i = 0; i < InvalidCodes.Length; i++)
            yield return CloseWith($"7.9.{i + 1}", $"Send close with invalid close code {InvalidCodes[i]}.", Code(InvalidCodes[i]), [1002], clean: false);
        yield return Undefined("7.13.1", 5000);
        yield return Undefined("7.13.2", 65535);
    }

    private static byte[] Code(int code) => [(byte)(code >> 8), (byte)code];

    private static ConformanceCase AfterClose(string id, string description, Func<CaseRun, Task> after) =>
        new(id, description, async c =>
        {
            c.SuppressClose = true;
            c.Expect(Ok);
            c.ExpectClose(true, [1000], true);
            await c.SendClose(1000);
            await after(c);
            c.KillAfter(1);
        });

    /// <summary>A close frame with exactly this payload; the server must answer with one of
    /// <paramref name="codes"/> (or none), cleanly if <paramref name="clean"/>.</summary>
    private static ConformanceCase CloseWith(string id, string description, byte[] payload, int[] codes, bool clean) =>
        new(id, description, async c =>
        {
            c.SuppressClose = true;
            c.Expect(Ok);
            c.ExpectClose(true, codes, clean);
            await c.Client.SendCloseRawAsync(payload);
            c.KillAfter(1);
        });

    private static ConformanceCase Undefined(string id, int code) =>
        new(id, $"Send close with close code {code}.", async c =>
        {
            c.SuppressClose = true;
            c.Verdict = Informational; // "actual events are undefined by the spec"
            c.Expect(Ok);
            c.ExpectClose(true, [1000, code, 1002], false);
            await c.Client.SendCloseRawAsync(Code(code));
            c.KillAfter(1);
        });
}
