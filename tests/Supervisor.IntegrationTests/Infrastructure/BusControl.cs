using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>The message bus from the outside: raw requests on the control socket (as PHP's
/// stream_socket_client would send them), the CLI sub-commands, and a wait for the
/// acceptor to have registered a number of connections.</summary>
public static class BusControl
{
    /// <summary>Sends every request line in one write, half-closes, and returns the answer
    /// lines read until the server closes.</summary>
    public static async Task<string[]> RequestAsync(string controlPath, IEnumerable<string> lines, CancellationToken cancellation)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(controlPath), cancellation);
        await socket.SendAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), SocketFlags.None, cancellation);
        socket.Shutdown(SocketShutdown.Send);
        string text = Encoding.UTF8.GetString(await RawHttp.ReadToEndAsync(socket, cancellation));
        Assert.True(text.EndsWith('\n'), $"answer not ended by a newline: \"{text}\"");
        return text[..^1].Split('\n');
    }

    public static async Task<string> RequestAsync(string controlPath, string line, CancellationToken cancellation) =>
        Assert.Single(await RequestAsync(controlPath, [line], cancellation));

    /// <summary>The JSON after "ok " of a count or list answer.</summary>
    public static async Task<JsonElement> QueryAsync(string controlPath, string verb, CancellationToken cancellation)
    {
        string answer = await RequestAsync(controlPath, verb, cancellation);
        Assert.StartsWith("ok ", answer);
        return JsonDocument.Parse(answer[3..]).RootElement.Clone();
    }

    /// <summary>Polls `count` until the acceptor has registered exactly
    /// <paramref name="connections"/> connections. A client's handshake completes a
    /// moment before the acceptor's registry holds it, so tests that push right after
    /// connecting wait for this first.</summary>
    public static async Task WaitForConnectionsAsync(SupervisorProcess server, int connections, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        int seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            seen = (await QueryAsync(server.ControlPath, "count", cancellation)).GetProperty("connections").GetInt32();
            if (seen == connections)
                return;
            await Task.Delay(20, cancellation);
        }
        Assert.Fail($"the acceptor counts {seen} connections, not {connections}, after {timeout}; its log:\n{server.Stderr}");
    }

    /// <summary>The connection id of the one connection in `list` that is not in
    /// <paramref name="known"/>: with connections opened one at a time, that is the newest.</summary>
    public static async Task<string> NewConnectionIdAsync(SupervisorProcess server, ICollection<string> known, CancellationToken cancellation)
    {
        await WaitForConnectionsAsync(server, known.Count + 1, TimeSpan.FromSeconds(5), cancellation);
        var list = await QueryAsync(server.ControlPath, "list", cancellation);
        string id = Assert.Single(list.EnumerateArray().Select(c => c.GetProperty("id").GetString()!), i => !known.Contains(i));
        known.Add(id);
        return id;
    }

    /// <summary>Runs <c>ws-supervisor ARGS</c> to completion (at most 10 s) and times it.</summary>
    public static (int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed) RunCli(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = SupervisorProcess.RunToExit(args, TimeSpan.FromSeconds(10));
        return (code, stdout, stderr, clock.Elapsed);
    }

    /// <summary>Messages until one equals <paramref name="last"/> (included), so a test can
    /// assert on everything a client received before a final broadcast.</summary>
    public static async Task<List<string>> ReceiveThroughAsync(this WebSocket client, string last, CancellationToken cancellation)
    {
        var messages = new List<string>();
        while (true)
        {
            string? message = await client.ReceiveTextAsync(cancellation);
            Assert.True(message is not null, $"closed by the server after {messages.Count} messages: {string.Join(" | ", messages)}");
            messages.Add(message);
            if (message == last)
                return messages;
        }
    }

    /// <summary>"fifo", "socket", "regular file", "directory"… as stat(1) names the kind,
    /// or "missing".</summary>
    public static string FileKind(string path) => Stat("%F", path);

    /// <summary>stat(1)'s <paramref name="format"/> for <paramref name="path"/> (not following
    /// a symlink), or "missing".</summary>
    public static string Stat(string format, string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string value = stat.StandardOutput.ReadToEnd().Trim();
        Assert.True(stat.WaitForExit(5000), "stat(1) did not exit");
        return stat.ExitCode == 0 ? value : "missing";
    }
}
