namespace Supervisor.Protocol.Handshake;

/// <summary>The one table from a rejection reason to what the client is told.</summary>
public static class Rejections
{
    public static int StatusCode(RejectionReason reason) => reason switch
    {
        RejectionReason.MalformedRequestLine => 400,
        RejectionReason.MalformedHeaderLine => 400,      // RFC 9112 §5.1, §5.2
        RejectionReason.InvalidHeaderName => 400,
        RejectionReason.InvalidHeaderValue => 400,
        RejectionReason.UnsupportedHttpVersion => 505,   // RFC 9110 §15.6.6
        RejectionReason.HeadTooLarge => 431,             // RFC 6585 §5
        RejectionReason.HeadTimeout => 408,              // RFC 9110 §15.5.9
        RejectionReason.InvalidHost => 400,              // RFC 9112 §3.2
        RejectionReason.InvalidContentLength => 400,     // RFC 9112 §6.3 item 5
        RejectionReason.MethodNotGet => 405,             // RFC 9110 §15.5.6, with Allow
        RejectionReason.MissingHost => 400,              // RFC 9112 §3.2
        RejectionReason.NotWebSocketRequest => 400,
        RejectionReason.UpgradeWithBody => 400,          // as Kestrel: its bytes would be read as frames
        RejectionReason.UnsupportedExpectation => 417,   // RFC 9110 §10.1.1, §15.5.18
        RejectionReason.MissingUpgradeToken => 400,      // RFC 6455 §4.2.1
        RejectionReason.MissingConnectionUpgrade => 400,
        RejectionReason.MissingKey => 400,
        RejectionReason.InvalidKey => 400,
        RejectionReason.UnsupportedVersion => 426,       // RFC 6455 §4.2.2, §4.4
        RejectionReason.InvalidSubprotocol => 400,       // RFC 6455 §4.1: elements are tokens
        RejectionReason.NoSuchApp => 404,
        RejectionReason.AtCapacity => 503,               // with Retry-After
        RejectionReason.SpawnFailed => 503,
        RejectionReason.AuthDenied => 403,               // RFC 9110 §15.5.4: known, and refused
        RejectionReason.AuthFailed => 503,               // our fault, not the client's
        RejectionReason.OriginNotAllowed => 403,         // RFC 6455 §4.2.2 item 4 and §10.2
        RejectionReason.PerIpLimit => 429,               // RFC 6585 §4, with Retry-After
        RejectionReason.PerUserLimit => 429,
        RejectionReason.SpawnRateLimit => 429,
        RejectionReason.NoFileDescriptors => 503,        // with Retry-After
        RejectionReason.InvalidTarget => 400,            // RFC 3986 §2.1, §3.5
        RejectionReason.AsteriskForm => 405,             // RFC 9110 §15.5.6: the method is known, not served; with Allow
        RejectionReason.StaticMethodNotAllowed => 405,   // with Allow: GET, HEAD
        RejectionReason.FieldTooLargeForApp => 431,      // RFC 6585 §5: "an individual header field" too large
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a rejection."),
    };

    /// <summary>
    /// The refusals that mean "full, retry later" rather than "this request is wrong":
    /// a browser cannot read the status of a failed handshake (script sees close code
    /// 1006 for all of them), so the acceptor may answer these with a 101 and an
    /// immediate close frame 1013 instead ("Try Again Later": registered in IANA's
    /// WebSocket Close Code Number Registry, §11.7 of RFC 6455), whose code and reason
    /// script can read.
    /// </summary>
    public static bool IsRetryLater(RejectionReason reason) => reason is
        RejectionReason.AtCapacity or RejectionReason.PerIpLimit or RejectionReason.PerUserLimit
        or RejectionReason.SpawnRateLimit or RejectionReason.NoFileDescriptors or RejectionReason.SpawnFailed;

    /// <summary>A short, human-readable one-line text for the response body and the log.</summary>
    public static string Describe(RejectionReason reason) => reason switch
    {
        RejectionReason.MalformedRequestLine => "Malformed request line: expected \"GET /path HTTP/1.1\".",
        RejectionReason.MalformedHeaderLine => "Malformed header line (folded, bare LF, or space before the colon).",
        RejectionReason.InvalidHeaderName => "Invalid header field name.",
        RejectionReason.InvalidHeaderValue => "Invalid control character in a header field value.",
        RejectionReason.UnsupportedHttpVersion => "The WebSocket handshake needs HTTP/1.1.",
        RejectionReason.HeadTooLarge => "Request head too large.",
        RejectionReason.HeadTimeout => "Request head not received in time.",
        RejectionReason.InvalidHost => "Invalid Host header: expected host[:port].",
        RejectionReason.InvalidContentLength => "Invalid Content-Length: expected one field with a decimal number.",
        RejectionReason.MethodNotGet => "A WebSocket handshake must use GET.",
        RejectionReason.MissingHost => "Exactly one non-empty Host header is required.",
        RejectionReason.NotWebSocketRequest => "This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).",
        RejectionReason.UpgradeWithBody => "Upgrade requests cannot have a body (Transfer-Encoding, or Content-Length other than 0).",
        RejectionReason.UnsupportedExpectation => "Unsupported Expect: only 100-continue is known.",
        RejectionReason.MissingUpgradeToken => "The Upgrade header must include \"websocket\".",
        RejectionReason.MissingConnectionUpgrade => "The Connection header must include \"Upgrade\".",
        RejectionReason.MissingKey => "Missing Sec-WebSocket-Key header.",
        RejectionReason.InvalidKey => "Sec-WebSocket-Key must be one base64-encoded 16-byte value.",
        RejectionReason.UnsupportedVersion => "Unsupported WebSocket version: this server speaks Sec-WebSocket-Version 13.",
        RejectionReason.InvalidSubprotocol => "Sec-WebSocket-Protocol must be a comma-separated list of tokens.",
        RejectionReason.NoSuchApp => "No WebSocket app at this path.",
        RejectionReason.AtCapacity => "Server at capacity (--maxforks); retry later.",
        RejectionReason.SpawnFailed => "Could not start a worker for this connection; retry later.",
        RejectionReason.AuthDenied => "Not allowed.",
        RejectionReason.AuthFailed => "Authentication is unavailable right now; retry later.",
        RejectionReason.OriginNotAllowed => "Origin not allowed.",
        RejectionReason.PerIpLimit => "Too many connections from your address (--max-per-ip); retry later.",
        RejectionReason.PerUserLimit => "Too many connections for this user (--max-per-user); retry later.",
        RejectionReason.SpawnRateLimit => "Too many new connections per second (--max-spawn-rate); retry later.",
        RejectionReason.NoFileDescriptors => "Server out of file descriptors; retry later.",
        RejectionReason.InvalidTarget => "Invalid request target: every '%' in the path must start a %XX escape, and a target never holds a '#' fragment.",
        RejectionReason.AsteriskForm => "OPTIONS * is not served: this server answers GET (WebSocket handshakes, files) and HEAD (files).",
        RejectionReason.StaticMethodNotAllowed => "Only GET and HEAD are served at this address.",
        RejectionReason.FieldTooLargeForApp => "A request header is too large to pass to the app (one environment variable may hold at most 128 KiB):",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a rejection."),
    };
}
