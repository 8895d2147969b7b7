using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Supervisor.Conformance.Wire;

/// <summary>The opening handshake from the client side (RFC 6455 §4.1), with the
/// extension offers a case asks for; checks the 101 and its accept key.</summary>
public static class ClientHandshake
{
    public sealed record Result(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Leftover)
    {
        public string? Extensions => Headers.GetValueOrDefault("sec-websocket-extensions");
    }

    public static async Task<Result> RunAsync(Socket socket, Uri url, string? extensionOffers, CancellationToken cancellation)
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append("GET ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(url.Authority).Append("\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        if (extensionOffers is not null)
            request.Append("Sec-WebSocket-Extensions: ").Append(extensionOffers).Append("\r\n");
        request.Append("\r\n");
        await socket.SendAsync(Encoding.ASCII.GetBytes(request.ToString()), SocketFlags.None, cancellation);

        var received = new MemoryStream();
        var buffer = new byte[4096];
        int end;
        while ((end = IndexOfBlankLine(received)) < 0)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            if (n == 0)
                throw new IOException("connection closed during the opening handshake");
            received.Write(buffer, 0, n);
            if (received.Length > 64 * 1024)
                throw new InvalidDataException("response head over 64 KiB");
        }
        byte[] all = received.ToArray();
        string[] lines = Encoding.Latin1.GetString(all, 0, end).Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        var headers = new Dictionary<string, string>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        var result = new Result(int.Parse(status[1]), headers, all[(end + 4)..]);
        if (result.Status != 101)
            throw new InvalidDataException($"handshake answered with {lines[0]}");
        string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        if (headers.GetValueOrDefault("sec-websocket-accept") != expected)
            throw new InvalidDataException("wrong Sec-WebSocket-Accept");
        return result;
    }

    private static int IndexOfBlankLine(MemoryStream stream) =>
        stream.GetBuffer().AsSpan(0, (int)stream.Length).IndexOf("\r\n\r\n"u8);
}
