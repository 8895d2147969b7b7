using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Requests written byte for byte on a plain TCP socket, for the heads no
/// well-behaved client would send.</summary>
public static class RawHttp
{
    /// <summary>A sample key from RFC 6455 §1.3; its accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.</summary>
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    public const string SampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    public sealed record Response(string StatusLine, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body, byte[] Raw)
    {
        /// <summary>The value of the first header of that name (case-insensitive), or null.</summary>
        public string? Header(string name) =>
            Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>A valid upgrade request head, lines joined with CRLF and the blank line
    /// at the end; <paramref name="extraLines"/> go after the standard ones.</summary>
    public static string UpgradeHead(string target = "/", params string[] extraLines)
    {
        var lines = new List<string>
        {
            $"GET {target} HTTP/1.1",
            "Host: 127.0.0.1",
            "Upgrade: websocket",
            "Connection: Upgrade",
            $"Sec-WebSocket-Key: {SampleKey}",
            "Sec-WebSocket-Version: 13",
        };
        lines.AddRange(extraLines);
        return string.Join("\r\n", lines) + "\r\n\r\n";
    }

    public static async Task<Socket> ConnectAsync(int port, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="request"/> in one send and reads until the server
    /// closes the connection.</summary>
    /// <summary>Handshakes on a socket whose receive buffer is fixed small before connect
    /// (so its TCP window stays small), then leaves reading to the caller, who may never.</summary>
    public static async Task<Socket> ConnectStalledAsync(int port, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
            await socket.SendAsync(Encoding.ASCII.GetBytes(UpgradeHead("/stalled")), SocketFlags.None, cancellation);
            string status = (await ReadHeadAsync(socket, cancellation)).StatusLine;
            if (status != "HTTP/1.1 101 Switching Protocols")
                throw new InvalidDataException($"the stalled client was answered {status}");
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task<Response> ExchangeAsync(int port, byte[] request, CancellationToken cancellation)
    {
        using var socket = await ConnectAsync(port, cancellation);
        await socket.SendAsync(request, SocketFlags.None, cancellation);
        return Parse(await ReadToEndAsync(socket, cancellation));
    }

    public static Task<Response> ExchangeAsync(int port, string request, CancellationToken cancellation) =>
        ExchangeAsync(port, Encoding.Latin1.GetBytes(request), cancellation);

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellation)
    {
        var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && all.Length > 0)
            {
                break; // a reset after the response: what was read is the answer
            }
            if (n == 0)
                break;
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    /// <summary>Reads a response head up to and including "\r\n\r\n", one byte at a
    /// time so not a byte of what follows (the first frames) is taken off the socket.</summary>
    public static async Task<Response> ReadHeadAsync(Socket socket, CancellationToken cancellation)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (head.Count > 64 * 1024)
                throw new InvalidDataException("response head over 64 KiB");
            int n = await socket.ReceiveAsync(one, SocketFlags.None, cancellation);
            if (n == 0)
                throw new EndOfStreamException($"connection closed inside the response head: \"{Encoding.Latin1.GetString(head.ToArray())}\"");
            head.Add(one[0]);
        }
        return Parse(head.ToArray());
    }

    /// <summary>Reads exactly <paramref name="count"/> more bytes.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellation)
    {
        var bytes = new byte[count];
        for (int filled = 0; filled < count;)
        {
            int n = await socket.ReceiveAsync(bytes.AsMemory(filled), SocketFlags.None, cancellation);
            if (n == 0)
                throw new EndOfStreamException($"connection closed after {filled} of {count} bytes");
            filled += n;
        }
        return bytes;
    }

    public static Response Parse(byte[] raw)
    {
        string text = Encoding.Latin1.GetString(raw);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            throw new InvalidDataException($"no complete response head in {raw.Length} bytes: \"{text}\"");
        string[] lines = text[..end].Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        return new Response(lines[0], headers, text[(end + 4)..], raw);
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}
