using Supervisor.Conformance.Fuzzing;
using Supervisor.Conformance.Wire;
using static Supervisor.Conformance.Fuzzing.Outcome;

namespace Supervisor.Conformance.Cases;

/// <summary>Autobahn 9.*: large messages (9.1, 9.2), large messages in many fragments (9.3,
/// 9.4), large frames trickled in small chops (9.5, 9.6), and many small messages one
/// after another (9.7, 9.8), each within a time bound. Echoes are checked byte for byte
/// (Autobahn checks lengths). A representative subset; docs/conformance.md lists it.</summary>
public static class Group9Limits
{
    private static readonly byte[] Pattern = "BAsd7&jh23"u8.ToArray();

    public static IEnumerable<ConformanceCase> All()
    {
        int[] sizes = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20];
        int[] bounds = [10, 10, 20, 40, 60, 100];
        for (int i = 0; i < sizes.Length; i++)
        {
            yield return Large($"9.1.{i + 1}", binary: false, sizes[i], fragmentSize: 0, chopSize: 0, bounds[i]);
            yield return Large($"9.2.{i + 1}", binary: true, sizes[i], fragmentSize: 0, chopSize: 0, bounds[i]);
        }
        // 4 MiB in fragments of 64 B, 4 KiB and 4 MiB (9.3.1, 9.3.4, 9.3.9; 9.4 binary).
        foreach (var (n, fragment) in new[] { (1, 64), (4, 4 << 10), (9, 4 << 20) })
        {
            yield return Large($"9.3.{n}", binary: false, 4 << 20, fragment, chopSize: 0, 100);
            yield return Large($"9.4.{n}", binary: true, 4 << 20, fragment, chopSize: 0, 100);
        }
        // 1 MiB in one frame, sent in chops of 64 B and 2 KiB (9.5.1, 9.5.6; 9.6 binary).
        foreach (var (n, chop) in new[] { (1, 64), (6, 2048) })
        {
            yield return Large($"9.5.{n}", binary: false, 1 << 20, fragmentSize: 0, chop, 100);
            yield return Large($"9.6.{n}", binary: true, 1 << 20, fragmentSize: 0, chop, 100);
        }
        // 1000 messages of 0 B and 4 KiB, each sent once the last one's echo is back (9.7, 9.8).
        foreach (var (n, size) in new[] { (1, 0), (6, 4096) })
        {
            yield return Many($"9.7.{n}", binary: false, size);
            yield return Many($"9.8.{n}", binary: true, size);
        }
    }

    private static ConformanceCase Large(string id, bool binary, int size, int fragmentSize, int chopSize, double bound)
    {
        string how = fragmentSize > 0 ? $", in fragments of {fragmentSize}" : chopSize > 0 ? $", sent in chops of {chopSize} octets" : "";
        return new(id, $"Send {(binary ? "binary" : "text")} message with payload of length {size}{how}; receive the echo within {bound} s.",
            async c =>
            {
                byte[] payload = binary ? FrameBuilder.Repeat([0xFE, 0x00, 0x80], size) : FrameBuilder.Repeat(Pattern, size);
                c.ExpectClose(true, [1000], true);
                c.Result = $"no echo within {bound} s";
                c.Client.OnMessage = async message =>
                {
                    (c.Behavior, c.Result) = message.Binary != binary ? (Failed, "echo of the wrong type")
                        : !message.Payload.AsSpan().SequenceEqual(payload) ? (Failed, $"echo of {message.Payload.Length} bytes differs")
                        : (Ok, "");
                    await c.SendClose(1000);
                };
                await c.SendMessage(payload, binary, fragmentSize, chopSize);
                c.CloseAfter(bound);
            }) { Bulk = true, TimeoutSeconds = bound + 5 };
    }

    private static ConformanceCase Many(string id, bool binary, int size) =>
        new(id, $"Send 1000 {(binary ? "binary" : "text")} messages of payload size {size}, each after the echo of the last; within 60 s.", async c =>
        {
            const int count = 1000;
            byte[] payload = binary ? FrameBuilder.Repeat([0xFE], size) : FrameBuilder.Repeat(Pattern, size);
            byte opcode = binary ? Opcode.Binary : Opcode.Text;
            int received = 0;
            c.ExpectClose(true, [1000], true);
            c.Result = "not all echoes within 60 s";
            c.Client.OnMessage = async message =>
            {
                if (message.Binary != binary || !message.Payload.AsSpan().SequenceEqual(payload))
                {
                    (c.Behavior, c.Result) = (Failed, $"echo {received + 1} differs");
                    await c.SendClose(1000);
                }
                else if (++received == count)
                {
                    c.Behavior = Ok;
                    await c.SendClose(1000);
                }
                else
                {
                    await c.SendFrame(opcode, payload);
                }
            };
            await c.SendFrame(opcode, payload);
            c.CloseAfter(60);
        }) { Bulk = true, TimeoutSeconds = 65 };
}
