using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// A WebSocket client for going through a proxy with control over what a browser decides:
/// the local address it connects from (127.0.0.2, so "the client's address" differs from
/// the proxy's 127.0.0.1), TLS with the test's self-signed certificate, and any header
/// (Firefox's "Connection: keep-alive, Upgrade", a forged X-Forwarded-For). The handshake
/// is written by hand; the frames are the BCL's client engine, with no pings of its own,
/// so the only keep-alive traffic on the tunnel is the server's.
/// </summary>
public static class ProxyClient
{
    public static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.2");

    /// <summary>The proxy's answer to the upgrade, and the WebSocket when it was 101.</summary>
    public sealed record Upgrade(RawHttp.Response Head, WebSocket? Socket) : IDisposable
    {
        public WebSocket Open => Socket ?? throw new InvalidOperationException($"no WebSocket: the proxy answered {Head.StatusLine}\n{Head.Body}");

        public void Dispose() => Socket?.Dispose();
    }

    public static async Task<Upgrade> ConnectAsync(int port, string target, bool tls, CancellationToken cancellation,
        string connection = "Upgrade", params string[] headers)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            socket.Bind(new IPEndPoint(ClientAddress, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    // The test's own self-signed certificate: accepted as a browser would after
                    // the user trusted it.
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, cancellation);
            }
            var lines = new List<string>
            {
                $"GET {target} HTTP/1.1",
                $"Host: 127.0.0.1:{port}",
                "Upgrade: websocket",
                $"Connection: {connection}",
                $"Sec-WebSocket-Key: {RawHttp.SampleKey}",
                "Sec-WebSocket-Version: 13",
            };
            lines.AddRange(headers);
            await stream.WriteAsync(Encoding.Latin1.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n"), cancellation);
            var head = await ReadHeadAsync(stream, cancellation);
            if (head.StatusLine != "HTTP/1.1 101 Switching Protocols")
            {
                head = head with { Body = await ReadSomeAsync(stream, cancellation) };
                await stream.DisposeAsync();
                return new Upgrade(head, null);
            }
            Assert.Equal(RawHttp.SampleAccept, head.Header("Sec-WebSocket-Accept"));
            return new Upgrade(head, WebSocket.CreateFromStream(stream,
                new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero }));
        }
        catch
        {
            if (stream is not null)
                await stream.DisposeAsync();
            else
                socket.Dispose();
            throw;
        }
    }

    /// <summary>A ClientWebSocket (what an app would use) that trusts the test's certificate
    /// and sends no pings of its own.</summary>
    public static async Task<ClientWebSocket> ConnectClientAsync(Uri url, CancellationToken cancellation)
    {
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        try
        {
            await client.ConnectAsync(url, cancellation);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>env.sh's variables, read through the proxy from 127.0.0.2.</summary>
    public static async Task<Dictionary<string, string>> ReadEnvAsync(int port, string target, bool tls,
        CancellationToken cancellation, string connection = "Upgrade", params string[] headers)
    {
        using var upgrade = await ConnectAsync(port, target, tls, cancellation, connection, headers);
        var (messages, status) = await upgrade.Open.ReceiveUntilCloseAsync(cancellation);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        return Upgrades.ParseEnv(messages);
    }

    private static async Task<RawHttp.Response> ReadHeadAsync(Stream stream, CancellationToken cancellation)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (head.Count > 64 * 1024)
                throw new InvalidDataException("response head over 64 KiB");
            if (await stream.ReadAsync(one, cancellation) == 0)
                throw new EndOfStreamException($"connection closed inside the response head: \"{Encoding.Latin1.GetString(head.ToArray())}\"");
            head.Add(one[0]);
        }
        return RawHttp.Parse(head.ToArray());
    }

    private static async Task<string> ReadSomeAsync(Stream stream, CancellationToken cancellation)
    {
        var buffer = new byte[4096];
        using var brief = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        brief.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            int n = await stream.ReadAsync(buffer, brief.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return "";
        }
    }
}
