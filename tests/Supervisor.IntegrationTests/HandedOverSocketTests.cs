using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>Once a client's socket is handed to its worker, nothing of it is left in the
/// acceptor's epoll instances. A socket stays registered in an epoll for as long as any
/// process holds it, even after the registering process has closed its copy: had the
/// acceptor waited for the request head through the runtime's socket engine (which never
/// deletes a registration), every frame the client later sent its worker would wake the
/// acceptor too.</summary>
public sealed class HandedOverSocketTests(ITestOutputHelper output)
{
    /// <summary>Long enough that the acceptor's first read finds nothing and must wait.</summary>
    private static readonly TimeSpan HeadDelay = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task HandedOver_HeadThatCameLate_ClientSocketNotInAnyAcceptorEpoll()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await RawHttp.ConnectAsync(server.Port, cts.Token);
        await Task.Delay(HeadDelay, cts.Token);
        await client.SendAsync(Encoding.ASCII.GetBytes(RawHttp.UpgradeHead()), SocketFlags.None, cts.Token);
        Assert.StartsWith("HTTP/1.1 101 ", (await RawHttp.ReadHeadAsync(client, cts.Token)).StatusLine);

        byte[] mask = [1, 2, 3, 4];
        byte[] hello = Encoding.ASCII.GetBytes("hello");
        await client.SendAsync((byte[])[.. MaskedFrames.Header(0x81, hello.Length, mask), .. MaskedFrames.Mask(hello, mask, 0)],
            SocketFlags.None, cts.Token);
        Assert.Equal("hello", Encoding.ASCII.GetString((await RawFrames.ReadFrameAsync(client, cts.Token)).Payload));

        ulong inode = ServerSideInode(server.Port, ((IPEndPoint)client.LocalEndPoint!).Port);
        var watches = EpollWatches.Of(server.Pid);
        output.WriteLine($"server side of the client: inode {inode}; acceptor watches: {string.Join("; ", watches)}");
        Assert.DoesNotContain(watches, w => w.Inode == inode);
    }

    /// <summary>The inode of the server's end of the connection, from /proc/net/tcp:
    /// local port <paramref name="serverPort"/>, remote port <paramref name="clientPort"/>.</summary>
    private static ulong ServerSideInode(int serverPort, int clientPort)
    {
        string local = $":{serverPort:X4}";
        string remote = $":{clientPort:X4}";
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1].EndsWith(local, StringComparison.Ordinal) && fields[2].EndsWith(remote, StringComparison.Ordinal))
                return ulong.Parse(fields[9], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no socket from port {serverPort} to port {clientPort} in /proc/net/tcp");
    }
}
