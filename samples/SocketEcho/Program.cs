using System.Net.WebSockets;
using Supervisor.SocketApp;

// Echo for socket mode: this process is the whole connection. Every message comes back
// with its type and bytes; bus broadcasts reach the client on their own (the library's
// default); the server's shutdown closes with 1001.
await using var connection = SocketAppConnection.Adopt();
while (await connection.ReceiveAsync() is { } message)
{
    if (!await connection.SendAsync(message))
        break;
}
if (connection.WebSocket.State == WebSocketState.Open)
    await connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "");
return 0;
