using System.Globalization;
using System.Text;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Static;

/// <summary>
/// The response heads of the static file server. Every response ends the connection
/// (Connection: close): one request per connection keeps the acceptor's side a few lines
/// long, and a page's handful of files costs a few extra loopback or LAN handshakes.
/// </summary>
public static class StaticResponses
{
    /// <summary>The page behind a 404, small and plain.</summary>
    public static readonly byte[] NotFoundBody = Encoding.UTF8.GetBytes("""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>404 Not Found</title></head>
        <body style="font-family: system-ui, sans-serif; margin: 2rem; color: #222">
        <h1>404 Not Found</h1>
        <p>There is no file at this address.</p>
        <p><small>ws-supervisor</small></p>
        </body></html>

        """);

    /// <summary>A 200 (or 304) head for a file: Content-Type, Content-Length, Last-Modified or
    /// ETag (the validator a 304 needs), and nosniff so a browser never runs a file as something its type does not say.</summary>
    /// <param name="etag">An entity-tag with its quotes (RFC 9110 §8.8.3), or null.</param>
    public static byte[] File(int status, string contentType, long length, DateTimeOffset? lastModified,
        string? cacheControl, IReadOnlyList<string>? extraHeaders, string? etag = null)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        var sb = StatusLine(status)
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        if (lastModified is { } modified)
            sb.Append("Last-Modified: ").Append(HttpDate.Format(modified)).Append("\r\n");
        if (etag is not null)
            sb.Append("ETag: ").Append(ResponseText.FieldValue(etag, nameof(etag))).Append("\r\n");
        if (cacheControl is not null)
            sb.Append("Cache-Control: ").Append(cacheControl).Append("\r\n");
        sb.Append("X-Content-Type-Options: nosniff\r\n");
        return End(sb, extraHeaders);
    }

    /// <summary>404 with <see cref="NotFoundBody"/>'s length; the body follows unless HEAD.</summary>
    public static byte[] NotFound(IReadOnlyList<string>? extraHeaders) =>
        File(404, "text/html; charset=utf-8", NotFoundBody.Length, null, "no-cache", extraHeaders);

    /// <summary>301 to the folder's address with a slash, so the relative links of its
    /// index.html resolve inside it (as Apache's mod_dir and Go's http.FileServer do).</summary>
    /// <param name="location">A path from <see cref="StaticPath"/>-checked segments: it starts
    /// with one '/' and holds only characters the request line allowed.</param>
    public static byte[] MovedPermanently(string location, IReadOnlyList<string>? extraHeaders)
    {
        ArgumentNullException.ThrowIfNull(location);
        var sb = StatusLine(301)
            .Append("Location: ").Append(ResponseText.FieldValue(location, nameof(location))).Append("\r\n")
            .Append("Content-Length: 0\r\n");
        return End(sb, extraHeaders);
    }

    private static StringBuilder StatusLine(int status) =>
        new StringBuilder(256).Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(Phrase(status)).Append("\r\n");

    private static string Phrase(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        _ => ResponseText.ReasonPhrase(status),
    };

    private static byte[] End(StringBuilder sb, IReadOnlyList<string>? extraHeaders)
    {
        sb.Append("Connection: close\r\n");
        if (extraHeaders is not null)
        {
            foreach (var line in extraHeaders)
                sb.Append(ResponseText.HeaderLine(line, nameof(extraHeaders))).Append("\r\n");
        }
        sb.Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
