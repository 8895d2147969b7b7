using Serilog;
using Supervisor.Handoff;
using Supervisor.Protocol.Messages;
using Supervisor.Unix;
using static Supervisor.Worker.AppOutputPump;

namespace Supervisor.Worker.Modes;

/// <summary>The stdout side of the modes that keep one app running for the connection;
/// each runs on a thread of its own doing blocking reads, as the line pump does.</summary>
public static class StdoutPumps
{
    /// <summary>Binary mode reads this much at most, so one message is at most this big.
    /// A pipe hands over at most 64 KiB per read anyway (its default capacity).</summary>
    private const int BinaryReadSize = 64 * 1024;

    private const int ExactReadSize = 16 * 1024;

    public static Task<Outcome> Start(AppMode mode, FdStream stdout, ClientSender sender, int maxMessageBytes, ILogger log) => mode switch
    {
        AppMode.Line => StartStdout(stdout, sender, maxMessageBytes),
        AppMode.Binary => StartBinary(stdout, sender, Math.Min(BinaryReadSize, maxMessageBytes)),
        AppMode.Exact => StartExact(stdout, sender, maxMessageBytes, log),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no stdout pump for this mode"),
    };

    /// <summary>websocketd --binary: whatever one read returns is one binary message, so
    /// message boundaries are wherever the pipe happened to cut.</summary>
    private static Task<Outcome> StartBinary(FdStream stdout, ClientSender sender, int readSize) =>
        RunOnThread("app-stdout", () =>
        {
            byte[] buffer = new byte[readSize];
            int n;
            while ((n = ReadOrEof(stdout, buffer)) > 0)
            {
                if (!sender.SendBinary(buffer.AsMemory(0, n)))
                    return Outcome.ClientGone;
            }
            return Outcome.EndOfOutput;
        });

    /// <summary>Exact mode: each framed message goes out whole, with its type. Text that is
    /// not valid UTF-8 is repaired (U+FFFD) as in line mode, since the client would fail
    /// the connection on it (RFC 6455 §8.1); binary is sent byte for byte.</summary>
    private static Task<Outcome> StartExact(FdStream stdout, ClientSender sender, int maxMessageBytes, ILogger log) =>
        RunOnThread("app-stdout", () =>
        {
            var decoder = new ExactDecoder(maxMessageBytes);
            bool clientGone = false;
            // One delegate for the connection, as in the line pump.
            Action<MessageKind, ReadOnlyMemory<byte>> send = (kind, payload) =>
            {
                if (clientGone)
                    return;
                if (!(kind == MessageKind.Text ? sender.SendText(payload) : sender.SendBinary(payload)))
                    clientGone = true;
            };

            byte[] buffer = new byte[ExactReadSize];
            int n;
            while ((n = ReadOrEof(stdout, buffer)) > 0)
            {
                if (decoder.Feed(buffer.AsSpan(0, n), send) is var error and not ExactDecodeError.None)
                {
                    log.Warning("app stdout breaks the exact framing ({FramingError}); see docs/modes.md", error);
                    return Outcome.FramingError;
                }
                if (clientGone)
                    return Outcome.ClientGone;
            }
            // Output that stops inside a message is dropped: half a message is not one.
            if (decoder.Finish() != ExactDecodeError.None)
                log.Warning("app stdout ended inside an exact-mode message; the partial message was dropped");
            return clientGone ? Outcome.ClientGone : Outcome.EndOfOutput;
        });
}
