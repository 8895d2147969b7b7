using System.Text;
using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 6.*: text must be valid UTF-8 (§8.1) or the connection fails with
/// 1007 — at the first invalid byte for OK, at the end of the message for NON-STRICT
/// (6.4, "fail fast") — however the message is fragmented or chopped.</summary>
public static class Group6Utf8
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("Hello-\u00B5@\u00DF\u00F6\u00E4\u00FC\u00E0\u00E1-UTF-8!!");
    private static readonly byte[] Kosme = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5];
    private static readonly byte[] Edited = "edited"u8.ToArray();

    public static IEnumerable<ConformanceCase> All()
    {
        yield return Echo("6.1.1", "Send text message of length 0.", [], [[]]);
        yield return Echo("6.1.2", "Send fragmented text message, 3 fragments each of length 0.", [], [[], [], []]);
        yield return Echo("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.",
            "middle frame payload"u8.ToArray(), [[], "middle frame payload"u8.ToArray(), []]);
        yield return Echo("6.2.1", "Send a valid UTF-8 text message in one fragment.", Hello, [Hello]);
        yield return Echo("6.2.2", "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.", Hello,
            [Hello[..15], Hello[15..]]);
        yield return Echo("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.",
            Hello, Hello.Select(b => new[] { b }).ToArray());
        yield return Echo("6.2.4", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.",
            Kosme, Kosme.Select(b => new[] { b }).ToArray());

        byte[] invalid = [.. Kosme, 0xED, 0xA0, 0x80, .. Edited];
        yield return Invalid("6.3.1", "Send invalid UTF-8 text message unfragmented.", [invalid]);
        yield return Invalid("6.3.2", "Send invalid UTF-8 text message in fragments of 1 octet.", invalid.Select(b => new[] { b }).ToArray());

        byte[] outOfRange = [.. Kosme, 0xF4, 0x90, 0x80, 0x80, .. Edited];
        yield return FailFast("6.4.1", "Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest.",
            Kosme, [0xF4, 0x90, 0x80, 0x80], Edited, frames: true);
        yield return FailFast("6.4.2", "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid.",
            outOfRange[..12], outOfRange[12..13], outOfRange[13..], frames: true);
        yield return FailFast("6.4.3", "Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame.",
            Kosme, [0xF4, 0x90, 0x80, 0x80], Edited, frames: false);
        yield return FailFast("6.4.4", "Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame.",
            outOfRange[..12], outOfRange[12..13], outOfRange[13..], frames: false);

        int category = 5;
        foreach (var group in Utf8Sequences.All())
        {
            int number = 1;
            foreach (var (valid, bytes) in group.Sequences)
                yield return Sequence($"6.{category}.{number++}", group.Title, valid, bytes);
            category++;
        }
    }

    private static ConformanceCase Echo(string id, string description, byte[] message, byte[][] fragments) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.Message(message, binary: false));
            c.ExpectClose(true, [1000], true);
            await SendFragments(c, fragments);
            c.CloseAfter(1);
        });

    private static ConformanceCase Invalid(string id, string description, byte[][] fragments) =>
        new(id, description, async c =>
        {
            c.Expect(Ok);
            c.ExpectFailure(1007);
            await SendFragments(c, fragments);
            c.KillAfter(1);
        });

    private static async Task SendFragments(CaseRun c, byte[][] fragments)
    {
        var frames = new MemoryStream();
        for (int i = 0; i < fragments.Length; i++)
            frames.Write(FrameBuilder.Build(i == 0 ? Opcode.Text : Opcode.Continuation, fragments[i], fin: i == fragments.Length - 1));
        await c.Client.SendRawAsync(frames.ToArray());
    }

    /// <summary>Three parts a second apart, as frames or as chops of one frame: the server
    /// should fail on the second part (OK); failing only at the end is NON-STRICT.</summary>
    private static ConformanceCase FailFast(string id, string description, byte[] part1, byte[] part2, byte[] part3, bool frames) =>
        new(id, description, async c =>
        {
            c.Expect(Ok, WsEvent.TimeoutAt("A"));
            c.Expect(NonStrict, WsEvent.TimeoutAt("A"), WsEvent.TimeoutAt("B"));
            c.ExpectFailure(1007);
            byte[][] chops;
            if (frames)
            {
                chops = [FrameBuilder.Build(Opcode.Text, part1, fin: false), FrameBuilder.Build(Opcode.Continuation, part2, fin: false),
                    FrameBuilder.Build(Opcode.Continuation, part3)];
            }
            else
            {
                byte[] frame = FrameBuilder.Build(Opcode.Text, [.. part1, .. part2, .. part3]);
                int header = frame.Length - part1.Length - part2.Length - part3.Length;
                chops = [frame[..(header + part1.Length)], frame[(header + part1.Length)..(header + part1.Length + part2.Length)],
                    frame[(header + part1.Length + part2.Length)..]];
            }
            await c.Client.SendRawAsync(chops[0]);
            await c.Wait(1);
            if (!c.Timeout("A"))
                return;
            await c.Client.SendRawAsync(chops[1]);
            await c.Wait(1);
            if (!c.Timeout("B"))
                return;
            await c.Client.SendRawAsync(chops[2]);
            c.KillAfter(1);
        });

    private static ConformanceCase Sequence(string id, string category, bool valid, byte[] bytes) =>
        new(id, $"{category}: send a text message whose payload is {(valid ? "" : "not ")}valid UTF-8 in one fragment: 0x{Convert.ToHexString(bytes)}.",
            async c =>
            {
                if (valid)
                {
                    c.Expect(Ok, WsEvent.Message(bytes, binary: false));
                    c.ExpectClose(true, [1000], true);
                }
                else
                {
                    c.Expect(Ok);
                    c.ExpectFailure(1007);
                }
                await c.SendFrame(Opcode.Text, bytes);
                c.KillAfter(0.5);
            });
}
