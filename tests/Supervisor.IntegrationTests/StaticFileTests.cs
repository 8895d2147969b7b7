using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --staticdir with websocketd's meaning: a plain GET or HEAD gets a file from the folder,
/// an Upgrade goes to the apps. Exact types, lengths and dates; nothing outside the folder
/// (however the path is spelled, whatever a symlink says); only regular files; a 404 page.
/// And /ws-supervisor.js on every server.
/// </summary>
public sealed class StaticFileTests(StaticFileTests.Site site) : IClassFixture<StaticFileTests.Site>
{
    /// <summary>A folder of every kind of file, its traps, and one server for them all.</summary>
    public sealed class Site : IDisposable
    {
        public const string Secret = "outside-secret-7c1f";

        public Site()
        {
            Base = Directory.CreateTempSubdirectory("ws-supervisor-static-").FullName;
            Root = Path.Combine(Base, "www");
            string outside = Path.Combine(Base, "outside");
            Directory.CreateDirectory(Path.Combine(Root, "sub"));
            Directory.CreateDirectory(Path.Combine(Root, "empty"));
            Directory.CreateDirectory(outside);
            Directory.CreateDirectory(Root + "-evil"); // a sibling whose name starts like the root
            File.WriteAllText(Path.Combine(outside, "secret.txt"), Secret);
            File.WriteAllText(Path.Combine(Root + "-evil", "secret.txt"), Secret);

            Write("index.html", "<!doctype html><title>root index</title>");
            Write("sub/index.html", "<!doctype html><title>sub index</title>");
            foreach (string name in new[] { "app.js", "mod.mjs", "style.css", "data.json", "pic.svg", "pic.png", "photo.jpg",
                         "anim.gif", "favicon.ico", "notes.txt", "module.wasm", "font.woff2", "blob.xyz", "with space.txt" })
                Write(name, $"content of {name}");
            Write(".secret", Secret);
            var big = new byte[3 * 1024 * 1024 + 17];
            new Random(6).NextBytes(big);
            File.WriteAllBytes(Path.Combine(Root, "big.bin"), big);
            Big = big;

            File.CreateSymbolicLink(Path.Combine(Root, "link-out"), Path.Combine(outside, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(Root, "linkdir-out"), outside);
            File.CreateSymbolicLink(Path.Combine(Root, "link-in.html"), Path.Combine(Root, "index.html"));
            Run("mkfifo", Path.Combine(Root, "pipe"));

            Server = SupervisorProcess.Start($"--dir={Paths.WorkerScripts}", $"--staticdir={Root}");
        }

        public string Base { get; }

        public string Root { get; }

        public byte[] Big { get; }

        public SupervisorProcess Server { get; }

        private void Write(string name, string text) => File.WriteAllText(Path.Combine(Root, name), text);

        private static void Run(string program, string argument)
        {
            using var process = Process.Start(program, [argument]);
            process.WaitForExit(5000);
        }

        public void Dispose()
        {
            Server.Dispose();
            Directory.Delete(Base, recursive: true);
        }
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static string Get(string target, params string[] extra) => Request("GET", target, extra);

    private static string Request(string method, string target, params string[] extra) =>
        string.Join("\r\n", [$"{method} {target} HTTP/1.1", "Host: 127.0.0.1", .. extra]) + "\r\n\r\n";

    public static TheoryData<string, string> Types => new()
    {
        { "/index.html", "text/html; charset=utf-8" },
        { "/app.js", "text/javascript; charset=utf-8" },
        { "/mod.mjs", "text/javascript; charset=utf-8" },
        { "/style.css", "text/css; charset=utf-8" },
        { "/data.json", "application/json" },
        { "/pic.svg", "image/svg+xml" },
        { "/pic.png", "image/png" },
        { "/photo.jpg", "image/jpeg" },
        { "/anim.gif", "image/gif" },
        { "/favicon.ico", "image/x-icon" },
        { "/notes.txt", "text/plain; charset=utf-8" },
        { "/module.wasm", "application/wasm" },
        { "/font.woff2", "font/woff2" },
        { "/blob.xyz", "application/octet-stream" },
        { "/with%20space.txt", "text/plain; charset=utf-8" },
        { "/link-in.html", "text/html; charset=utf-8" },   // a symlink that stays inside is fine
    };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Get_KnownExtension_TypeLengthDateAndBody(string target, string contentType)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var path = new FileInfo(Path.Combine(site.Root, Uri.UnescapeDataString(target.TrimStart('/'))));
        string file = path.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path.FullName;

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal(contentType, response.Header("Content-Type"));
        Assert.Equal(File.ReadAllText(file), response.Body);
        Assert.Equal(new FileInfo(file).Length.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        var modified = DateTimeOffset.ParseExact(response.Header("Last-Modified")!, "r", CultureInfo.InvariantCulture);
        Assert.Equal(File.GetLastWriteTimeUtc(file), modified.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("close", response.Header("Connection"));
    }

    public static TheoryData<string> Outside => new()
    {
        "/../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/%2E%2E%2Foutside%2Fsecret.txt",
        "/..%2foutside%2fsecret.txt",
        "/sub/../../outside/secret.txt",
        "/sub/%2e%2e/%2e%2e/outside/secret.txt",
        "/sub/./index.html",
        "/../www-evil/secret.txt",
        "//outside/secret.txt",
        "/link-out",                       // symlink to a file outside
        "/linkdir-out/secret.txt",         // symlink to a folder outside
        "/.secret",                        // dot-files are never served
        "/%2esecret",
        "/index.html%00.txt",              // NUL
        "/sub%2findex.html",               // an encoded slash is not a separator
        "/%5c..%5coutside%5csecret.txt",   // backslashes
        "/%ff%fe.txt",                     // not UTF-8
        "/pipe",                           // a FIFO: opening it would block
        "/empty/",                         // a folder without index.html: no listing
        "/no-such-file.html",
    };

    [Theory]
    [MemberData(nameof(Outside))]
    public async Task Get_OutsideTheRootOrNotARegularFile_404Page(string target)
    {
        using var cts = new CancellationTokenSource(Timeout);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);

        Assert.Equal("HTTP/1.1 404 Not Found", response.StatusLine);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        Assert.Contains("<h1>404 Not Found</h1>", response.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(response.Body).ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.DoesNotContain(Site.Secret, Encoding.Latin1.GetString(response.Raw));
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/big.bin")]
    [InlineData("/no-such-file.html")]
    [InlineData("/ws-supervisor.js")]
    public async Task Head_AnyTarget_SameHeadersAsGetAndNoBody(string target)
    {
        using var cts = new CancellationTokenSource(Timeout);

        var get = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);
        var head = await RawHttp.ExchangeAsync(site.Server.Port, Request("HEAD", target), cts.Token);

        Assert.Equal(get.StatusLine, head.StatusLine);
        Assert.Equal(get.Headers, head.Headers);
        Assert.Equal("", head.Body);
    }

    [Fact]
    public async Task Get_LargeFile_EveryByteInOrder()
    {
        using var cts = new CancellationTokenSource(Timeout);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get("/big.bin"), cts.Token);

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal(site.Big.Length.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(site.Big, response.Raw[^site.Big.Length..]);
        int bodyStart = Encoding.Latin1.GetString(response.Raw).IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.Equal(site.Big.Length, response.Raw.Length - bodyStart);
    }

    [Theory]
    [InlineData("/", "root index")]
    [InlineData("/sub/", "sub index")]
    [InlineData("/?from=test", "root index")]
    public async Task Get_Folder_ItsIndexHtml(string target, string title)
    {
        using var cts = new CancellationTokenSource(Timeout);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        Assert.Contains($"<title>{title}</title>", response.Body);
    }

    [Theory]
    [InlineData("/sub", "/sub/")]
    [InlineData("/sub?x=1", "/sub/?x=1")]
    public async Task Get_FolderWithoutSlash_RedirectedToItsAddressWithOne(string target, string location)
    {
        using var cts = new CancellationTokenSource(Timeout);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);

        Assert.Equal("HTTP/1.1 301 Moved Permanently", response.StatusLine);
        Assert.Equal(location, response.Header("Location"));
        Assert.Equal("0", response.Header("Content-Length"));
    }

    [Fact]
    public async Task Get_IfModifiedSinceTheFileTime_304WithoutBody()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var first = await RawHttp.ExchangeAsync(site.Server.Port, Get("/app.js"), cts.Token);
        string lastModified = first.Header("Last-Modified")!;

        var again = await RawHttp.ExchangeAsync(site.Server.Port, Get("/app.js", $"If-Modified-Since: {lastModified}"), cts.Token);
        var older = await RawHttp.ExchangeAsync(site.Server.Port, Get("/app.js", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"), cts.Token);

        Assert.Equal("HTTP/1.1 304 Not Modified", again.StatusLine);
        Assert.Equal("", again.Body);
        Assert.Equal(lastModified, again.Header("Last-Modified"));
        Assert.Equal("HTTP/1.1 200 OK", older.StatusLine);
    }

    [Fact]
    public async Task Upgrade_WithStaticDir_StillGoesToTheApp()
    {
        using var cts = new CancellationTokenSource(Timeout);

        await WsClient.AssertServerEchoesAsync(site.Server.Url("/echo.sh"), cts.Token);
    }

    [Theory]
    // RFC 9110 §15.5.6: a 405's Allow lists what the resource does serve; here HEAD too.
    [InlineData("POST", "/index.html")]
    [InlineData("DELETE", "/index.html")]
    [InlineData("POST", "/ws-supervisor.js")]
    [InlineData("PUT", "/no-such-file")]
    public async Task NotGetOrHead_WithStaticDir_405AllowGetHead(string method, string target)
    {
        using var cts = new CancellationTokenSource(Timeout);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Request(method, target, "Content-Length: 0"), cts.Token);

        Assert.Equal("HTTP/1.1 405 Method Not Allowed", response.StatusLine);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
        Assert.Equal("Only GET and HEAD are served at this address.\n", response.Body);
    }

    [Theory]
    [InlineData("/50%.txt")]            // a '%' that starts no escape: not "50%.txt" taken literally
    [InlineData("/notes.txt%zz")]
    [InlineData("/notes.txt%2")]
    [InlineData("/notes.txt#top")]      // a fragment never travels in a request
    public async Task Get_MalformedTarget_400(string target)
    {
        using var cts = new CancellationTokenSource(Timeout);
        File.WriteAllText(Path.Combine(site.Root, "50%.txt"), Site.Secret);

        var response = await RawHttp.ExchangeAsync(site.Server.Port, Get(target), cts.Token);

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.StartsWith("Invalid request target:", response.Body);
        Assert.DoesNotContain(Site.Secret, response.Body);
    }

    [Fact]
    public async Task Get_TransferCutShort_AccessLogSaysStatusAndBytesSent()
    {
        using var cts = new CancellationTokenSource(Timeout);
        // A small window, so the 3 MiB cannot all sit in loopback's socket buffers before the reset.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, site.Server.Port), cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Get("/big.bin?cut")), System.Net.Sockets.SocketFlags.None, cts.Token);
        var head = await RawHttp.ReadHeadAsync(socket, cts.Token);
        Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
        await RawHttp.ReadExactlyAsync(socket, 100_000, cts.Token);
        socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // RST: the server's next send fails
        socket.Close();

        var line = await site.Server.WaitForLogAsync(
            new Regex(@"static 127\.0\.0\.1:\d+ GET /big\.bin\?cut 200 (\d+) cut short: (.+)"), Timeout);
        long sent = long.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(sent, 100_000, site.Big.Length - 1);
    }

    [Fact]
    public async Task ClientLibrary_RevalidatedWithItsETag_304()
    {
        using var cts = new CancellationTokenSource(Timeout);

        var first = await RawHttp.ExchangeAsync(site.Server.Port, Get("/ws-supervisor.js"), cts.Token);
        string etag = first.Header("ETag") ?? "";
        var again = await RawHttp.ExchangeAsync(site.Server.Port, Get("/ws-supervisor.js", $"If-None-Match: {etag}"), cts.Token);
        var stale = await RawHttp.ExchangeAsync(site.Server.Port, Get("/ws-supervisor.js", "If-None-Match: \"older\""), cts.Token);
        var module = await RawHttp.ExchangeAsync(site.Server.Port, Get("/ws-supervisor.mjs", $"If-None-Match: {etag}"), cts.Token);

        Assert.Matches("^\"[0-9a-f]+\"$", etag);
        Assert.Equal("HTTP/1.1 304 Not Modified", again.StatusLine);
        Assert.Equal(etag, again.Header("ETag"));
        Assert.Equal("", again.Body);
        Assert.Equal("HTTP/1.1 200 OK", stale.StatusLine);
        Assert.Contains("WsSupervisor", stale.Body);
        Assert.Equal("HTTP/1.1 200 OK", module.StatusLine); // another file, another tag
    }

    [Theory]
    // case: request → status, Allow, body
    [InlineData("POST /ws-supervisor.js HTTP/1.1", "405 Method Not Allowed", "GET, HEAD", "Only GET and HEAD are served at this address.")]
    [InlineData("OPTIONS * HTTP/1.1", "405 Method Not Allowed", "GET, HEAD", "OPTIONS * is not served: this server answers GET (WebSocket handshakes, files) and HEAD (files).")]
    [InlineData("POST /chat HTTP/1.1", "405 Method Not Allowed", "GET", "A WebSocket handshake must use GET.")]
    [InlineData("GET * HTTP/1.1", "400 Bad Request", null, "Malformed request line")]
    public async Task OtherMethods_NoStaticDir_PreciseAnswer(string requestLine, string status, string? allow, string body)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, $"{requestLine}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", cts.Token);

        Assert.Equal($"HTTP/1.1 {status}", response.StatusLine);
        Assert.Equal(allow, response.Header("Allow"));
        Assert.StartsWith(body, response.Body);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Theory]
    [InlineData("GET", "/ws-supervisor.js")]
    [InlineData("HEAD", "/ws-supervisor.js")]
    [InlineData("GET", "/ws-supervisor.mjs")]
    public async Task ClientLibrary_NoStaticDir_ServedAnyway(string method, string target)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        var response = await RawHttp.ExchangeAsync(server.Port, Request(method, target), cts.Token);
        var other = await RawHttp.ExchangeAsync(server.Port, Get("/index.html"), cts.Token);

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("text/javascript; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("no-cache", response.Header("Cache-Control"));
        int length = int.Parse(response.Header("Content-Length")!, CultureInfo.InvariantCulture);
        if (method == "GET")
        {
            Assert.Equal(length, Encoding.UTF8.GetByteCount(response.Body));
            Assert.Contains("WsSupervisor", response.Body);
        }
        else
        {
            Assert.Equal("", response.Body);
        }
        // Any other plain GET is still told this is a WebSocket endpoint.
        Assert.Equal("HTTP/1.1 400 Bad Request", other.StatusLine);
        await WsClient.AssertServerEchoesAsync(server.Url(), cts.Token);
    }

    [Fact]
    public async Task NoArguments_DemoPageAtRoot_AppsBesideIt()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var server = SupervisorProcess.Start(); // only --port and --run-dir: the demo defaults

        var page = await RawHttp.ExchangeAsync(server.Port, Get("/"), cts.Token);
        var script = await RawHttp.ExchangeAsync(server.Port, Get("/demo.js"), cts.Token);

        Assert.Equal("HTTP/1.1 200 OK", page.StatusLine);
        Assert.Contains("<title>ws-supervisor demo</title>", page.Body);
        Assert.Equal("text/javascript; charset=utf-8", script.Header("Content-Type"));
        await WsClient.AssertServerEchoesAsync(server.Url("/echo.sh"), cts.Token);
        await server.WaitForLogAsync(new System.Text.RegularExpressions.Regex(@"Static files from \S+/worker-scripts/www at http://127\.0\.0\.1:\d+/"),
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void StaticDir_Missing_UsageError()
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit(
            ["--port=0", "--staticdir=/no/such/folder", Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Equal("ws-supervisor: --staticdir=/no/such/folder: no such directory", stderr.Trim());
    }
}
