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

    /// <summary>True for the requests this server answers instead of the upgrade path.</summary>
    public bool Serves(RequestHead head) =>
        StaticRequest.IsPlainGetOrHead(head) && (_resolver is not null || ClientLibrary.Find(head.RawPath) is not null);

    public async Task ServeAsync(Socket socket, IPEndPoint remote, RequestHead head)
    {
        bool withBody = head.Method == "GET";
        using var deadline = new CancellationTokenSource(ResponseTimeout);
        int status = 0;
        long sent = 0;
        try
        {
            if (ClientLibrary.Find(head.RawPath) is { } library)
            {
                status = 200;
                // no-cache: revalidated on every load, so a page never runs a library older than its server.
                await SendAsync(socket, StaticResponses.File(200, ContentTypes.For(head.RawPath), library.Length, null,
                    "no-cache", app.Headers), deadline.Token);
                if (withBody)
                    sent = await SendAsync(socket, library, deadline.Token);
            }
            else
            {
                (status, sent) = await ServeFileAsync(socket, head, withBody, deadline.Token);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            log.Debug("static {Method} {Target} for {Remote} cut short after {Bytes} bytes: {Error}",
                head.Method, head.Target, remote, sent, e.Message);
        }
        log.ForContext(LogSetup.AccessProperty, true).Information("static {Remote} {Method} {Target} {Status} {Bytes}",
            remote, head.Method, head.Target, status, sent);
        await CloseAsync(socket);
    }

    private async Task<(int Status, long Sent)> ServeFileAsync(Socket socket, RequestHead head, bool withBody, CancellationToken cancellation)
    {
        var target = _resolver!.Resolve(head.RawPath);
        if (target.RedirectTo is { } location)
        {
            string withQuery = head.Query.Length > 0 ? location + "?" + head.Query : location;
            await SendAsync(socket, StaticResponses.MovedPermanently(withQuery, app.Headers), cancellation);
            return (301, 0);
        }
        if (target.FilePath is not { } path || Open(path) is not { } file)
            return await NotFoundAsync(socket, withBody, cancellation);

        using (file)
        {
            long length = RandomAccess.GetLength(file);
            var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            string type = ContentTypes.For(path);
            if (StaticRequest.IsNotModified(head, modified))
            {
                await SendAsync(socket, StaticResponses.File(304, type, length, modified, "no-cache", app.Headers), cancellation);
                return (304, 0);
            }
            // no-cache with Last-Modified: a browser may keep the file but asks each time
            // (a cheap 304), so an edited page shows on the next reload.
            await SendAsync(socket, StaticResponses.File(200, type, length, modified, "no-cache", app.Headers), cancellation);
            return (200, withBody ? await StreamAsync(socket, file, length, cancellation) : 0);
        }
    }

    private async Task<(int, long)> NotFoundAsync(Socket socket, bool withBody, CancellationToken cancellation)
    {
        await SendAsync(socket, StaticResponses.NotFound(app.Headers), cancellation);
        return (404, withBody ? await SendAsync(socket, StaticResponses.NotFoundBody, cancellation) : 0);
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

    private static async Task<long> StreamAsync(Socket socket, SafeFileHandle file, long length, CancellationToken cancellation)
    {
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(length, 1))];
        long offset = 0;
        while (offset < length)
        {
            int want = (int)Math.Min(buffer.Length, length - offset);
            int read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, want), offset, cancellation);
            if (read == 0)
                break; // the file shrank while being sent: the client sees a short body and the close
            await SendAsync(socket, buffer.AsMemory(0, read), cancellation);
            offset += read;
        }
        return offset;
    }

    private static async Task<long> SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken response)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(response);
        step.CancelAfter(SendTimeout);
        int total = 0;
        while (total < bytes.Length)
            total += await socket.SendAsync(bytes[total..], SocketFlags.None, step.Token);
        return total;
    }

    private static Task CloseAsync(Socket socket) => LingeringClose.RunAsync(socket, TimeSpan.FromSeconds(1));
}
