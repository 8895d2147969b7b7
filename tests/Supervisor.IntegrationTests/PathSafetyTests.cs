using System.Net.Sockets;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// Under --dir only a regular, executable, non-hidden file directly inside the folder
/// runs. Every other path — traversal, encoded dots and slashes, NUL, backslashes,
/// dot-files, directories, FIFOs, sockets, devices, symlinks leading out — gets exactly
/// 404, and a client connected before it still echoes. One server serves every case.
/// </summary>
public sealed class PathSafetyTests(PathSafetyTests.Server server) : IClassFixture<PathSafetyTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public AppFolder Apps { get; } = new();
        public AppFolder Outside { get; } = new("ws-supervisor-test-outside-");
        public SupervisorProcess Process { get; private set; } = null!;
        public ClientWebSocket Held { get; private set; } = null!;
        public bool HasDevice { get; private set; }
        private Socket? _unixSocket;

        public async Task InitializeAsync()
        {
            Apps.CopyScript("echo.sh")
                .CopyScript("echo.sh", ".hidden.sh")
                .WriteScript("noexec.sh", "echo never", mode: "644")
                .Subfolder("subdir")
                .Symlink("alias.sh", "echo.sh")                                // inside → inside: allowed
                .Symlink("dotlink.sh", ".hidden.sh")                           // to a dot-file
                .Symlink("loop", "loop")
                .Symlink("dirlink", "subdir")
                .Symlink("nulldev", "/dev/null");
            File.Copy(Paths.Script("echo.sh"), Path.Combine(Apps["subdir"], "echo.sh"));
            File.SetUnixFileMode(Path.Combine(Apps["subdir"], "echo.sh"), AppFolder.Mode("755"));
            Outside.CopyScript("echo.sh");
            Apps.Symlink("out.sh", Outside["echo.sh"]);                        // inside → outside
            Apps.Symlink("updir.sh", "../" + Path.GetFileName(Outside.Path) + "/echo.sh");

            Assert.True(Apps.Run("mkfifo", "-m", "755", Apps["fifo"]), "mkfifo failed");
            _unixSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _unixSocket.Bind(new UnixDomainSocketEndPoint(Apps["sock"]));
            File.SetUnixFileMode(Apps["sock"], AppFolder.Mode("755"));
            // A character device (1,3 is /dev/null) inside the folder, where mknod is allowed.
            HasDevice = Apps.Run("mknod", "-m", "755", Apps["dev"], "c", "1", "3");

            Process = SupervisorProcess.Start($"--dir={Apps.Path}");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Held = await WsClient.ConnectAsync(Process.Url("/echo.sh"), cts.Token);
            await Held.AssertEchoesAsync("connected before any hostile path", cts.Token);
        }

        public Task DisposeAsync()
        {
            Held.Dispose();
            Process.Dispose();
            _unixSocket?.Dispose();
            Apps.Dispose();
            Outside.Dispose();
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("/..")]
    [InlineData("/../echo.sh")]
    [InlineData("/%2e%2e")]
    [InlineData("/%2E%2E")]
    [InlineData("/%2e%2E/echo.sh")]
    [InlineData("/.%2e")]
    [InlineData("/%2e%2e%2f" + "etc%2fpasswd")]
    [InlineData("/%252e%252e")]                 // double-encoded: decoded once, a name that is not there
    [InlineData("/%c0%ae%c0%ae")]               // overlong UTF-8 dots: not dots
    [InlineData("/.hidden.sh")]
    [InlineData("/%2ehidden.sh")]
    [InlineData("/dotlink.sh")]                 // a symlink to a dot-file
    [InlineData("/echo.sh%00")]
    [InlineData("/echo.sh%00.txt")]
    [InlineData("/%00")]
    [InlineData("/echo.sh%0a")]
    [InlineData("/subdir%2fecho.sh")]           // an encoded slash does not reach into subfolders
    [InlineData("/subdir%2Fecho.sh")]
    [InlineData("/dirlink%2fecho.sh")]
    [InlineData("/subdir\\echo.sh")]
    [InlineData("/subdir%5cecho.sh")]
    [InlineData("/subdir")]                     // a directory
    [InlineData("/dirlink")]
    [InlineData("/noexec.sh")]                  // not executable
    [InlineData("/fifo")]                       // executable bits, but not a regular file
    [InlineData("/sock")]
    [InlineData("/nulldev")]                    // a symlink to a device outside
    [InlineData("/out.sh")]                     // a symlink to an executable outside
    [InlineData("/updir.sh")]
    [InlineData("/loop")]                       // ELOOP
    [InlineData("/nosuch.sh")]
    [InlineData("/")]
    [InlineData("//echo.sh")]                   // an empty first segment names no app (as no file under --staticdir)
    [InlineData("///echo.sh")]
    public async Task DirMode_HostilePath_Exactly404AndHeldClientStillEchoes(string target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var response = await RawHttp.ExchangeAsync(server.Process.Port, RawHttp.UpgradeHead(target), cts.Token);

        Assert.Equal("HTTP/1.1 404 Not Found", response.StatusLine);
        await server.Held.AssertEchoesAsync($"still here after {target}", cts.Token);
    }

    [Theory]
    [InlineData("/%zz")]                        // RFC 3986 §2.1: '%' starts an escape or nothing
    [InlineData("/50%.sh")]
    [InlineData("/echo.sh%zz")]
    [InlineData("/echo.sh%2")]
    [InlineData("/echo.sh%")]
    [InlineData("/echo.sh#f")]                  // a fragment is never part of a request target
    [InlineData("/echo.sh?q=1#f")]
    public async Task DirMode_MalformedTarget_400AndHeldClientStillEchoes(string target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var response = await RawHttp.ExchangeAsync(server.Process.Port, RawHttp.UpgradeHead(target), cts.Token);

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.StartsWith("Invalid request target:", response.Body);
        await server.Held.AssertEchoesAsync($"still here after {target}", cts.Token);
    }

    [Fact]
    public async Task DirMode_DeviceInsideFolder_Exactly404()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        if (!server.HasDevice)
            return; // no CAP_MKNOD here (a non-root run, a tight container): /nulldev covers devices through a symlink

        var response = await RawHttp.ExchangeAsync(server.Process.Port, RawHttp.UpgradeHead("/dev"), cts.Token);

        Assert.Equal("HTTP/1.1 404 Not Found", response.StatusLine);
        await server.Held.AssertEchoesAsync("still here after /dev", cts.Token);
    }

    [Theory]
    [InlineData("/alias.sh")]                   // a symlink to a file in the same folder is an alias
    [InlineData("/echo.sh/..%2f..%2fetc")]      // PATH_INFO is the app's to interpret
    [InlineData("/%65cho.sh")]                  // %65 is "e": decoding is not a trick in itself
    [InlineData("/echo.sh?pct=50%")]            // the query's '%' is the app's to read
    public async Task DirMode_AllowedPath_Serves(string target)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var client = await Upgrades.ConnectAsync(server.Process.Port, target, [], cts.Token);

        await client.AssertEchoesAsync("served", cts.Token);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await server.Held.AssertEchoesAsync($"still here after {target}", cts.Token);
    }
}
