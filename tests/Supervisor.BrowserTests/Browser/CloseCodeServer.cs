using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Supervisor.BrowserTests.Browser;

/// <summary>
/// A WebSocket server that accepts every handshake (101) and at once closes with one
/// chosen code: how a server at capacity (1013) or one that refuses by policy (1008)
/// answers, without depending on which limits ws-supervisor enforces. Records when each
/// connection arrived. Listens on 127.0.0.1 only; stops on dispose.
/// </summary>
public sealed class CloseCodeServer : IDisposable
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<DateTime> _accepted = [];
    private readonly ushort _code;

    public CloseCodeServer(ushort code)
    {
        _code = code;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<DateTime> Accepted
    {
        get
        {
            lock (_accepted)
                return _accepted.ToArray();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_accepted)
                _accepted.Add(DateTime.UtcNow);
            _ = AnswerAsync(socket);
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        using (socket)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(ConnectionTimeout);
            try
            {
                string head = await ReadHeadAsync(socket, timeout.Token);
                string key = head.Split("\r\n").Select(l => l.Split(':', 2))
                    .First(p => p.Length == 2 && p[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))[1].Trim();
                string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));
                string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                  $"Sec-WebSocket-Accept: {accept}\r\n\r\n";
                await socket.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, timeout.Token);
                // FIN + close opcode (0x88), unmasked, 2-byte payload: the code, big-endian.
                await socket.SendAsync(new byte[] { 0x88, 0x02, (byte)(_code >> 8), (byte)_code }, SocketFlags.None, timeout.Token);
                // Wait for the client's close frame (or its FIN) before closing our end.
                await socket.ReceiveAsync(new byte[256], SocketFlags.None, timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or InvalidOperationException)
            {
                // A client that went away or sent no key: nothing to answer.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(Socket socket, CancellationToken cancellation)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 8192 && !head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation) == 0)
                throw new InvalidOperationException("closed inside the request head");
            head.Append((char)buffer[0]);
        }
        return head.ToString();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
