using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Property: whatever bytes arrive as a handshake, the one running acceptor answers with
/// a well-formed HTTP response (a 101 whose accept key matches the request's key, or a
/// refusal with its Content-Length and Connection: close) or closes cleanly, and it never
/// dies. 10,000 requests: a valid one mutated (bit flips, byte swaps, truncations,
/// repeated and removed headers, inserted bytes, oversized fields, CRLF games) or random
/// bytes, a few at a time, from a fixed seed that a failure prints.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed partial class HandshakeFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 0x5EED_0004;
    private const int Cases = 10_000;
    private const int Lanes = 4;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private static readonly HashSet<int> KnownStatuses = [101, 400, 403, 404, 405, 408, 417, 426, 429, 431, 503, 505];

    private static readonly string[] BaseLines =
    [
        "GET /echo.sh/room?x=1&y=%20 HTTP/1.1",
        "Host: 127.0.0.1:8080",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) fuzz",
        "Upgrade: websocket",
        "Connection: keep-alive, Upgrade",
        "Sec-WebSocket-Key: " + RawHttp.SampleKey,
        "Sec-WebSocket-Version: 13",
        "Origin: http://127.0.0.1:8080",
        "Sec-WebSocket-Protocol: chat, superchat",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "Cookie: PHPSESSID=abc123; theme=dark",
    ];

    private static byte[] Valid() => Encoding.ASCII.GetBytes(string.Join("\r\n", BaseLines) + "\r\n\r\n");

    [Fact]
    public async Task Handshake_10000RandomAndMutatedRequests_AlwaysAWellFormedAnswerOrACleanClose()
    {
        using var cts = new CancellationTokenSource(Budget + TimeSpan.FromSeconds(30));
        // A worker per valid request would make this a fork benchmark: past 5 a second the
        // acceptor answers them itself (101 + close 1013), which is one more path under test.
        using var server = SupervisorProcess.Start("--dir=worker-scripts", "--max-spawn-rate=5", "--handshake-timeout=5");
        using var connected = await WsClient.ConnectAsync(server.Url("/echo.sh"), cts.Token);

        // Every case's bytes come from one generator, in order, so a seed means one sequence.
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Cases).Select(i => i % 100 == 0 ? Valid() : Generate(random)).ToArray();
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        int next = -1;

        async Task LaneAsync()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= Cases)
                    return;
                string outcome;
                try
                {
                    outcome = await ExchangeAndCheckAsync(server.Port, requests[i], mustUpgrade: i % 100 == 0, cts.Token);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException(
                        $"case {i} of seed 0x{Seed:X}: {e.Message}\nrequest: {Show(requests[i])}\nacceptor alive: {!server.HasExited}");
                }
                lock (outcomes)
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (clock.Elapsed > Budget)
                    throw new Xunit.Sdk.XunitException($"over the {Budget.TotalSeconds} s budget at case {i} of {Cases}");
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(_ => Task.Run(LaneAsync)));

        output.WriteLine($"seed 0x{Seed:X}: {Cases} requests in {clock.Elapsed.TotalSeconds:F1} s: " +
            string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} ×{o.Value}")));
        Assert.False(server.HasExited, "the acceptor died");
        Assert.DoesNotContain(server.StderrLines, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
        await connected.AssertEchoesAsync("after 10,000 hostile handshakes", cts.Token);
        await WsClient.AssertServerEchoesSoonAsync(server.Url("/echo.sh"), TimeSpan.FromSeconds(5), cts.Token);
    }

    /// <summary>Sends the request, half-closes (so an unfinished head ends in EOF rather
    /// than the handshake timeout), and checks what comes back. Returns a label for the tally.</summary>
    private static async Task<string> ExchangeAndCheckAsync(int port, byte[] request, bool mustUpgrade, CancellationToken cancellation)
    {
        using var socket = await RawHttp.ConnectAsync(port, cancellation);
        using var exchange = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        exchange.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.SendAsync(request, SocketFlags.None, exchange.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The acceptor answered and closed while we were still sending: read its answer.
        }
        byte[] answer;
        try
        {
            answer = await RawHttp.ReadToEndAsync(socket, exchange.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new InvalidDataException("no answer and no close within 10 s");
        }

        if (answer.Length == 0)
        {
            Assert.False(mustUpgrade, "the valid request got no answer");
            return "clean close";
        }
        string text = Encoding.Latin1.GetString(answer);
        var statusLine = StatusLine().Match(text);
        Assert.True(statusLine.Success, $"not an HTTP status line: {Show(answer)}");
        int status = int.Parse(statusLine.Groups[1].Value);
        Assert.Contains(status, KnownStatuses);
        int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"no end of head: {Show(answer)}");
        var response = RawHttp.Parse(answer);
        if (mustUpgrade)
            Assert.Equal(101, status);

        if (status == 101)
        {
            // Only a request with one valid key may be upgraded, and with that key's answer;
            // never one with a body, whose bytes the worker would take for frames.
            string? key = SingleKey(request);
            Assert.True(key is not null, $"101 for a request without exactly one key: {Show(request)}");
            Assert.Equal(AcceptFor(key), response.Header("Sec-WebSocket-Accept"));
            Assert.False(AnnouncesBody(request), $"101 for a request with a body: {Show(request)}");
            return response.Raw.Length > headEnd + 4 && response.Raw[headEnd + 4] == 0x88 ? "101 + close 1013" : "101";
        }
        Assert.Equal("close", response.Header("Connection")?.Split(',').Last().Trim(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal((answer.Length - headEnd - 4).ToString(), response.Header("Content-Length"));
        return status.ToString();
    }

    private static byte[] Generate(Random random)
    {
        if (random.Next(20) == 0)
        {
            var noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            return noise;
        }
        byte[] request = Valid();
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
            request = Mutate(request, random);
        return request;
    }

    private static byte[] Mutate(byte[] request, Random random)
    {
        var lines = Encoding.Latin1.GetString(request).Split("\r\n").ToList();
        int headerCount = Math.Max(1, lines.Count - 2);   // the head's lines minus the trailing blank ones
        switch (random.Next(13))
        {
            case 0: // flip one bit
            {
                var copy = (byte[])request.Clone();
                if (copy.Length > 0)
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 1: // replace a byte with one that matters to a parser
            {
                var copy = (byte[])request.Clone();
                byte[] special = [0, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', 0x7F, 0x80, 0xFF, (byte)','];
                if (copy.Length > 0)
                    copy[random.Next(copy.Length)] = special[random.Next(special.Length)];
                return copy;
            }
            case 2: // truncate anywhere
                return request[..random.Next(request.Length + 1)];
            case 3: // repeat a header line
            {
                int at = 1 + random.Next(headerCount);
                lines.Insert(at, lines[Math.Min(at, lines.Count - 1)]);
                return Join(lines);
            }
            case 4: // remove a line (the request line included)
                lines.RemoveAt(random.Next(Math.Min(headerCount + 1, lines.Count)));
                return Join(lines);
            case 5: // insert random bytes
            {
                var noise = new byte[1 + random.Next(20)];
                random.NextBytes(noise);
                int at = random.Next(request.Length + 1);
                return [.. request[..at], .. noise, .. request[at..]];
            }
            case 6: // an oversized field: a long value, name or path (up to 32 KiB)
            {
                string big = new('a', random.Next(1, 32 * 1024));
                int kind = random.Next(3);
                if (kind == 0)
                    lines.Insert(1, "X-Big: " + big);
                else if (kind == 1)
                    lines.Insert(1, big + ": v");
                else
                    lines[0] = $"GET /{big} HTTP/1.1";
                return Join(lines);
            }
            case 7: // change a header's case or spacing
            {
                int at = 1 + random.Next(headerCount);
                if (at < lines.Count)
                    lines[at] = random.Next(3) switch
                    {
                        0 => lines[at].ToUpperInvariant(),
                        1 => lines[at].Replace(": ", " : ", StringComparison.Ordinal),
                        _ => " " + lines[at],   // obs-fold
                    };
                return Join(lines);
            }
            case 8: // an edge value for a field that decides the upgrade
            {
                string[] edges =
                [
                    "Upgrade: ", "Upgrade: websocket, websocket", "Upgrade: h2c, websocket", "Connection: close",
                    "Connection: Upgrade, Upgrade", "Sec-WebSocket-Version: 13, 8", "Sec-WebSocket-Version: 013",
                    "Sec-WebSocket-Key: ", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ===", "Host: ", "Host: a, b", "Origin: null",
                    "Sec-WebSocket-Protocol: ", "Sec-WebSocket-Protocol: \"quoted\"", "Content-Length: 5", "Transfer-Encoding: chunked",
                    "Content-Length: 0", "Content-Length: abc", "Expect: 100-continue", "Expect: tea", "Host: a b", "Host: [::1]:1",
                ];
                lines.Insert(1 + random.Next(headerCount), edges[random.Next(edges.Length)]);
                return Join(lines);
            }
            case 9: // another method, version or target form
            {
                string[] firsts =
                [
                    "POST / HTTP/1.1", "GET / HTTP/1.0", "GET / HTTP/2.0", "GET / HTTP/1.10", "get / HTTP/1.1",
                    "GET http://127.0.0.1/echo.sh HTTP/1.1", "GET * HTTP/1.1", "GET  /  HTTP/1.1", "GET /echo.sh",
                    "GET /../../etc/passwd HTTP/1.1", "GET /%2e%2e/echo.sh HTTP/1.1", "GET /echo.sh%00 HTTP/1.1", "",
                    "GET ws://127.0.0.1:8080 HTTP/1.1", "GET HTTPS://u@127.0.0.1/echo.sh HTTP/1.1", "\r\nGET /echo.sh HTTP/1.1",
                ];
                lines[0] = firsts[random.Next(firsts.Length)];
                return Join(lines);
            }
            case 10: // a bare LF or CR where CRLF belongs
            {
                string text = Encoding.Latin1.GetString(request);
                int at = text.IndexOf("\r\n", random.Next(Math.Max(1, text.Length)), StringComparison.Ordinal);
                if (at < 0)
                    return request;
                return Encoding.Latin1.GetBytes(text[..at] + (random.Next(2) == 0 ? "\n" : "\r") + text[(at + 2)..]);
            }
            case 11: // an early blank line: the head ends before the upgrade fields
                lines.Insert(1 + random.Next(headerCount), "");
                return Join(lines);
            default: // bytes after the head (a pipelined first frame, or garbage)
            {
                var tail = new byte[random.Next(1, 200)];
                random.NextBytes(tail);
                return [.. request, .. tail];
            }
        }
    }

    private static byte[] Join(List<string> lines) => Encoding.Latin1.GetBytes(string.Join("\r\n", lines));

    /// <summary>The value of the request's only Sec-WebSocket-Key line, or null.</summary>
    private static string? SingleKey(byte[] request)
    {
        var keys = Values(request, "Sec-WebSocket-Key");
        return keys.Count == 1 ? keys[0] : null;
    }

    /// <summary>RFC 9112 §6.3: Transfer-Encoding, or a Content-Length other than 0.</summary>
    private static bool AnnouncesBody(byte[] request) =>
        Values(request, "Transfer-Encoding").Count > 0 || Values(request, "Content-Length").Any(v => v.Any(c => c != '0'));

    /// <summary>The trimmed values of the head's fields of that name. Empty lines before
    /// the request line are skipped, as the server skips them (RFC 9112 §2.2).</summary>
    private static List<string> Values(byte[] request, string name)
    {
        string text = Encoding.Latin1.GetString(request);
        int start = 0;
        while (string.CompareOrdinal(text, start, "\r\n", 0, 2) == 0)
            start += 2;
        int end = text.IndexOf("\r\n\r\n", start, StringComparison.Ordinal);
        return text[start..Math.Max(start, end)].Split("\r\n")
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim(' ', '\t'))
            .ToList();
    }

    private static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private static string Show(byte[] bytes)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes.Take(400))
            sb.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : b == '\r' ? "\\r" : b == '\n' ? "\\n" : $"\\x{b:X2}");
        return bytes.Length > 400 ? sb + $"… ({bytes.Length} bytes)" : sb.ToString();
    }

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3}) [A-Za-z][A-Za-z -]*\r\n")]
    private static partial Regex StatusLine();
}
