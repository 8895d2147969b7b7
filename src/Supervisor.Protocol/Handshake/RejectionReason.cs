namespace Supervisor.Protocol.Handshake;

/// <summary>
/// Why the acceptor refused an upgrade request. Each reason maps to exactly one HTTP
/// status in <see cref="Rejections"/>; nothing else in the code picks a status.
/// </summary>
public enum RejectionReason
{
    None = 0,

    // Framing of the request head (HTTP/1.1, RFC 9112) → 400, except where noted.
    MalformedRequestLine,
    MalformedHeaderLine,
    InvalidHeaderName,       // not an RFC 9110 token
    InvalidHeaderValue,      // control characters other than HTAB
    UnsupportedHttpVersion,  // anything but HTTP/1.1 → 505
    HeadTooLarge,            // over the head limit (8 KiB by default) → 431
    HeadTimeout,             // the head did not arrive in time (slowloris) → 408
    InvalidHost,             // a Host value that is not host[:port] (RFC 9112 §3.2) → 400
    InvalidContentLength,    // not 1*DIGIT, or more than one Content-Length (RFC 9112 §6.3) → 400

    // RFC 6455 §4.2.1 checks.
    MethodNotGet,            // → 405 with Allow: GET
    MissingHost,             // → 400
    NotWebSocketRequest,     // a plain GET with no Upgrade at all → 400 with a short text
    UpgradeWithBody,         // Transfer-Encoding, or Content-Length other than 0 → 400
    UnsupportedExpectation,  // an Expect other than 100-continue → 417
    MissingUpgradeToken,     // Upgrade present but without the "websocket" token → 400
    MissingConnectionUpgrade,// Connection lacks the "Upgrade" token → 400
    MissingKey,              // → 400
    InvalidKey,              // not base64 of exactly 16 bytes → 400
    UnsupportedVersion,      // Sec-WebSocket-Version other than 13 → 426 + Sec-WebSocket-Version: 13
    InvalidSubprotocol,      // a Sec-WebSocket-Protocol element that is not a token (§4.1) → 400

    // Decided by the acceptor after validation.
    NoSuchApp,               // → 404
    AtCapacity,              // --maxforks reached → 503 + Retry-After
    SpawnFailed,             // the worker could not be started (EMFILE, EAGAIN…) → 503
    AuthDenied,              // the --auth program said no (non-zero exit) → 403
    AuthFailed,              // the --auth program timed out, crashed or gave no user id → 503
    OriginNotAllowed,        // --origin / --sameorigin refused the Origin header → 403
    PerIpLimit,              // --max-per-ip reached for the client's address → 429 + Retry-After
    PerUserLimit,            // --max-per-user reached for the authenticated user → 429 + Retry-After
    SpawnRateLimit,          // --max-spawn-rate exceeded → 429 + Retry-After
    NoFileDescriptors,       // accept failed with EMFILE/ENFILE; answered from the reserve fd → 503 + Retry-After

    // Added later; kept last so the numbers above stay as they were.
    InvalidTarget,           // a '%' in the path not starting %XX, or a '#' (RFC 3986 §2.1, §3.5) → 400
    AsteriskForm,            // OPTIONS * (RFC 9112 §3.2.4): well-formed, not served → 405 with Allow: GET, HEAD
    StaticMethodNotAllowed,  // not GET or HEAD where files are served (--staticdir, /ws-supervisor.js) → 405 with Allow: GET, HEAD
    FieldTooLargeForApp,     // a CGI variable past Linux's MAX_ARG_STRLEN, which execve would refuse (E2BIG) → 431
}
