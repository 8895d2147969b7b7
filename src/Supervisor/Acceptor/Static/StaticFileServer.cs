using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Serilog;
using Supervisor.Logging;
using Supervisor.Options;
using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Static;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Static;

/// <summary>
/// Plain GET and HEAD requests (no Upgrade): the client library at /ws-supervisor.js on
/// every server, and with --staticdir the files under it, websocketd's meaning. One
/// request per connection (Connection: close). Files are streamed in 64 KiB reads, never
/// held whole; each send must progress within <see cref="SendTimeout"/> and the whole
/// response end within <see cref="ResponseTimeout"/>, so a client that stops reading
/// costs one socket and one open file for a bounded time.
/// </summary>
public sealed class StaticFileServer(AppOptions app, ILogger log)
{
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(5);
    private const int ChunkBytes = 64 * 1024;

    private readonly StaticResolver? _resolver = app.StaticDirectory is { } dir ? new StaticResolver(dir) : null;

    /// <summary>True for paths this server answers plain requests at: every path with
    /// --staticdir, else the client library's.</summary>
    public bool Covers(RequestHead head) =>
        head.RawPath.StartsWith('/') && (_resolver is not null || ClientLibrary.Find(head.RawPath) is not null);

    /// <summary>True for the requests this server answers instead of the upgrade path.</summary>
    public bool Serves(RequestHead head) => StaticRequest.IsPlainGetOrHead(head) && Covers(head);

    /// <summary>What went out: the status of the head being sent, and the body bytes the
    /// socket took. Kept as it goes, so a transfer cut short logs what it really sent.</summary>
    private sealed class Progress
    {
        public int Status;
        public long BodyBytes;
    }

    public async Task ServeAsync(Socket socket, IPEndPoint remote, RequestHead head)
    {
        bool withBody = head.Method == "GET";
        using var deadline = new CancellationTokenSource(ResponseTimeout);
        var progress = new Progress();
        string? cut = null;
        try
        {
            if (ClientLibrary.Find(head.RawPath) is { } library)
                await ServeLibraryAsync(socket, head, library, withBody, progress, deadline.Token);
            else
                await ServeFileAsync(socket, head, withBody, progress, deadline.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            cut = e is OperationCanceledException
                ? deadline.IsCancellationRequested ? $"not done in {ResponseTimeout.TotalSeconds:0} s" : $"no progress in {SendTimeout.TotalSeconds:0} s"
                : e.Message;
        }
        var access = log.ForContext(LogSetup.AccessProperty, true);
        if (cut is null)
            access.Information("static {Remote} {Method} {Target} {Status} {Bytes}", remote, head.Method, head.Target, progress.Status, progress.BodyBytes);
        else
            access.Information("static {Remote} {Method} {Target} {Status} {Bytes} cut short: {Error}",
                remote, head.Method, head.Target, progress.Status, progress.BodyBytes, cut);
        await CloseAsync(socket);
    }

    private async Task ServeLibraryAsync(Socket socket, RequestHead head, LibraryFile library, bool withBody, Progress progress,
        CancellationToken cancellation)
    {
        string type = ContentTypes.For(head.RawPath);
        // no-cache with an ETag: revalidated on every load (a 304 until the server changes), so a
        // page never runs a library older than its server.
        if (StaticRequest.MatchesETag(head, library.ETag))
        {
            progress.Status = 304;
            await SendAsync(socket, StaticResponses.File(304, type, library.Content.Length, null, "no-cache", app.Headers, library.ETag),
                cancellation);
            return;
        }
        progress.Status = 200;
        await SendAsync(socket, StaticResponses.File(200, type, library.Content.Length, null, "no-cache", app.Headers, library.ETag),
            cancellation);
        if (withBody)
            await SendAsync(socket, library.Content, cancellation, progress);
    }

    private async Task ServeFileAsync(Socket socket, RequestHead head, bool withBody, Progress progress, CancellationToken cancellation)
    {
        var target = _resolver!.Resolve(head.RawPath);
        if (target.RedirectTo is { } location)
        {
            string withQuery = head.Query.Length > 0 ? location + "?" + head.Query : location;
            progress.Status = 301;
            await SendAsync(socket, StaticResponses.MovedPermanently(withQuery, app.Headers), cancellation);
            return;
        }
        if (target.FilePath is not { } path || Open(path) is not { } file)
        {
            progress.Status = 404;
            await SendAsync(socket, StaticResponses.NotFound(app.Headers), cancellation);
            if (withBody)
                await SendAsync(socket, StaticResponses.NotFoundBody, cancellation, progress);
            return;
        }

        using (file)
        {
            long length = RandomAccess.GetLength(file);
            var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            string type = ContentTypes.For(path);
            if (StaticRequest.IsNotModified(head, modified))
            {
                progress.Status = 304;
                await SendAsync(socket, StaticResponses.File(304, type, length, modified, "no-cache", app.Headers), cancellation);
                return;
            }
            // no-cache with Last-Modified: a browser may keep the file but asks each time
            // (a cheap 304), so an edited page shows on the next reload.
            progress.Status = 200;
            await SendAsync(socket, StaticResponses.File(200, type, length, modified, "no-cache", app.Headers), cancellation);
            if (withBody)
                await StreamAsync(socket, file, length, progress, cancellation);
        }
    }

    /// <summary>Opens a file the resolver found, then asks the kernel which file was really
    /// opened (/proc/self/fd): a path swapped for a symlink between resolve and open is
    /// caught here. Null when it cannot be opened or is not what was resolved.</summary>
    private SafeFileHandle? Open(string path)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Debug("static file {Path} not served: {Error}", path, e.Message);
            return null;
        }
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            string? opened = RealPath.Resolve($"/proc/self/fd/{file.DangerousGetHandle()}");
            if (opened == path && FileStatus.Of(opened) is { Kind: FileKind.Regular })
                return file;
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
        file.Dispose();
        return null;
    }

    private static async Task StreamAsync(Socket socket, SafeFileHandle file, long length, Progress progress, CancellationToken cancellation)
    {
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(length, 1))];
        long offset = 0;
        while (offset < length)
        {
            int want = (int)Math.Min(buffer.Length, length - offset);
            int read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, want), offset, cancellation);
            if (read == 0)
                break; // the file shrank while being sent: the client sees a short body and the close
            await SendAsync(socket, buffer.AsMemory(0, read), cancellation, progress);
            offset += read;
        }
    }

    /// <param name="body">Where body bytes are counted as the socket takes them; null for a head.</param>
    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken response, Progress? body = null)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(response);
        step.CancelAfter(SendTimeout);
        int total = 0;
        while (total < bytes.Length)
        {
            int sent = await socket.SendAsync(bytes[total..], SocketFlags.None, step.Token);
            total += sent;
            if (body is not null)
                body.BodyBytes += sent;
        }
    }

    private static Task CloseAsync(Socket socket) => LingeringClose.RunAsync(socket, TimeSpan.FromSeconds(1));
}
