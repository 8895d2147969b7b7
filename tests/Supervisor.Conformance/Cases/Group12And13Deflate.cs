using System.Net.WebSockets;
using Supervisor.Conformance.Fuzzing;

namespace Supervisor.Conformance.Cases;

/// <summary>
/// Autobahn 12.* (permessage-deflate with different payloads, default offer) and 13.*
/// (the JSON payload with different offers): 1000 messages of one size, each sent when
/// the last echo is back, compressed both ways; the server's answer to the offer is
/// checked against RFC 7692 §7.1 first. An offer the server declines is UNIMPLEMENTED —
/// ours declines server_max_window_bits=8 (13.3, 13.5), which zlib cannot honour.
/// </summary>
public static class Group12And13Deflate
{
    /// <summary>Autobahn's (payload length, time bound, auto-fragment size), numbered 1–18.</summary>
    private static readonly (int Length, int Seconds, int Fragment)[] Sizes =
    [
        (16, 60, 0), (64, 60, 0), (256, 120, 0), (1024, 240, 0), (4096, 480, 0), (8192, 480, 0), (16384, 480, 0),
        (32768, 480, 0), (65536, 480, 0), (131072, 480, 0), (8192, 480, 256), (16384, 480, 256), (32768, 480, 256),
        (65536, 480, 256), (131072, 480, 256), (131072, 480, 1024), (131072, 480, 4096), (131072, 480, 32768),
    ];

    private const string DefaultOffer = "permessage-deflate; client_no_context_takeover; client_max_window_bits";

    /// <summary>13.1 … 13.7: Autobahn's client offers (requestNoContextTakeover, requestMaxWindowBits).</summary>
    private static readonly string[] Offers =
    [
        DefaultOffer,
        DefaultOffer + "; server_no_context_takeover",
        DefaultOffer + "; server_max_window_bits=8",
        DefaultOffer + "; server_max_window_bits=15",
        DefaultOffer + "; server_no_context_takeover; server_max_window_bits=8",
        DefaultOffer + "; server_no_context_takeover; server_max_window_bits=15",
        $"{DefaultOffer}; server_no_context_takeover; server_max_window_bits=8, {DefaultOffer}; server_no_context_takeover, {DefaultOffer}",
    ];

    public static IEnumerable<ConformanceCase> All()
    {
        // A subset, to keep the run within minutes: every payload kind at 16 B and 4 KiB,
        // the JSON set at every step up to 64 KiB and auto-fragmented at 256 B and 4 KiB,
        // the nearly incompressible set at 64 KiB; every offer at 16 B, 4 KiB and 64 KiB,
        // and the first and last offer at 128 KiB auto-fragmented.
        var sets = CompressionData.All;
        for (int set = 0; set < sets.Count; set++)
        {
            int[] picked = set switch { 0 => [1, 3, 5, 9, 11, 17], 4 => [1, 5, 9], _ => [1, 5] };
            foreach (int n in picked)
                yield return Echoes($"12.{set + 1}.{n}", sets[set], n, DefaultOffer);
        }
        for (int offer = 0; offer < Offers.Length; offer++)
        {
            int[] picked = offer is 0 or 6 ? [1, 5, 9, 17] : [1, 5, 9];
            foreach (int n in picked)
                yield return Echoes($"13.{offer + 1}.{n}", sets[0], n, Offers[offer]);
        }
    }

    private static ConformanceCase Echoes(string id, CompressionData.DataSet data, int sizeNumber, string offer)
    {
        var (length, seconds, fragment) = Sizes[sizeNumber - 1];
        const int count = 1000;
        return new ConformanceCase(id,
            $"Send {count} compressed messages each of payload size {length}, auto-fragment to {fragment} octets ({data.Name}). Offer: {offer}.",
            _ => Task.CompletedTask)
        {
            Offer = offer,
            Bulk = true,
            TimeoutSeconds = seconds,
            EngineScript = async run =>
            {
                using var bound = new CancellationTokenSource(run.Scaled(seconds));
                var type = data.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                int position = 0;
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        byte[] message = Slice(data.Bytes, ref position, length);
                        await run.SendAsync(message, type, fragment, bound.Token);
                        var echo = await run.ReceiveAsync(bound.Token);
                        if (echo is not { } reply || reply.Type != type || !reply.Payload.AsSpan().SequenceEqual(message))
                        {
                            run.Result = echo is null ? $"closed by the server at message {i + 1}" : $"echo {i + 1} differs";
                            return;
                        }
                    }
                    run.Behavior = Outcome.Ok;
                }
                catch (OperationCanceledException)
                {
                    run.Result = $"not all echoes within {seconds} s";
                }
            },
        };
    }

    /// <summary>The next <paramref name="length"/> bytes, wrapping around as Autobahn does.</summary>
    private static byte[] Slice(byte[] data, ref int position, int length)
    {
        var slice = new byte[length];
        for (int filled = 0; filled < length;)
        {
            int n = Math.Min(length - filled, data.Length - position);
            data.AsSpan(position, n).CopyTo(slice.AsSpan(filled));
            filled += n;
            position = (position + n) % data.Length;
        }
        return slice;
    }
}
