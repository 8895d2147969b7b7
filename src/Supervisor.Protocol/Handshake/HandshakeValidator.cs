namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 6455 §4.2.1 over a parsed head. Returns a reason instead of throwing; the
/// acceptor turns the reason into a response in one place.
/// Token lists are token lists: "Connection: keep-alive, Upgrade" passes.
/// </summary>
public static class HandshakeValidator
{
    public static RejectionReason Validate(RequestHead head, out WebSocketRequest? request)
    {
        ArgumentNullException.ThrowIfNull(head);
        request = null;

        if (head.Target == "*")
            return RejectionReason.AsteriskForm;

        // §4.2.1 item 1: "An HTTP/1.1 or higher GET request". Methods are case-sensitive
        // (RFC 9110 §9.1). The version was settled by the parser.
        if (!string.Equals(head.Method, "GET", StringComparison.Ordinal))
            return RejectionReason.MethodNotGet;

        // §4.2.1 item 2, and RFC 9112 §3.2: 400 for a missing Host or more than one (a
        // repeated Host is a request-smuggling tool); the parser has checked its grammar.
        // An empty Host is allowed "if the target URI does not include an authority",
        // but a ws or http URI always has one (RFC 6455 §3, RFC 9110 §4.2.1), and RFC
        // 9112 §3.3 lets a server refuse a request whose authority comes out empty. So
        // it is refused, unless an absolute-form target supplies the host instead
        // (RFC 9112 §3.2.2: the field is then ignored, but must still be there).
        string? host = head.Host;
        if (string.IsNullOrEmpty(host) || head.Count("Host") != 1)
            return RejectionReason.MissingHost;

        // A browser pointed at the endpoint sends neither: tell its user what this is.
        string? upgrade = head.GetCombined("Upgrade");
        string? key = head.Get("Sec-WebSocket-Key");
        if (upgrade is null && key is null)
            return RejectionReason.NotWebSocketRequest;

        // Bytes after the head are the client's first frames, so a body would be read as
        // WebSocket frames: refused, as Kestrel refuses it ("Upgrade requests cannot have
        // a body"). RFC 9112 §6.3: Transfer-Encoding, or a Content-Length, announces one;
        // "Content-Length: 0" announces none, and some clients send it. The parser has
        // already refused a Content-Length that is not one decimal number.
        if (head.Count("Transfer-Encoding") > 0 || head.Get("Content-Length") is { } length && length.Any(c => c != '0'))
            return RejectionReason.UpgradeWithBody;

        // RFC 9110 §10.1.1: 100-continue is the only expectation defined. With no body
        // (the rule above) there is nothing to wait for, and "a server MAY omit sending a
        // 100 (Continue) response if ... the framing indicates that there is no content",
        // so it is ignored. Any other expectation we cannot meet, and may refuse with 417
        // as Apache httpd does, rather than let the client believe it was met.
        foreach (string expectation in TokenList.Split(head.GetCombined("Expect")))
        {
            if (!string.Equals(expectation, "100-continue", StringComparison.OrdinalIgnoreCase))
                return RejectionReason.UnsupportedExpectation;
        }

        // §4.2.1 item 3: Upgrade includes "websocket" (case-insensitive).
        if (!TokenList.Contains(upgrade, "websocket"))
            return RejectionReason.MissingUpgradeToken;

        // §4.2.1 item 4: Connection includes "Upgrade" (case-insensitive), among others.
        if (!TokenList.Contains(head.GetCombined("Connection"), "Upgrade"))
            return RejectionReason.MissingConnectionUpgrade;

        // §4.2.1 item 6 and §4.2.2: anything but exactly 13 — absent included — gets 426
        // with the version we speak, so a client can retry.
        if (!string.Equals(head.GetCombined("Sec-WebSocket-Version"), "13", StringComparison.Ordinal))
            return RejectionReason.UnsupportedVersion;

        // §4.2.1 item 5: base64 of a 16-byte nonce. §11.3.1: the field MUST NOT repeat.
        if (key is null)
            return RejectionReason.MissingKey;
        if (head.Count("Sec-WebSocket-Key") != 1 || !IsValidKey(key))
            return RejectionReason.InvalidKey;

        // §4.2.1 item 8, §4.1: each offered subprotocol is a token. The server echoes one
        // in its 101, so anything else (a quoted string, obs-text) could not be answered
        // without breaking the response head; browsers refuse to send such offers anyway.
        var subprotocols = TokenList.Split(head.GetCombined("Sec-WebSocket-Protocol"));
        foreach (string offer in subprotocols)
        {
            if (!offer.All(HttpChars.IsTokenChar)) return RejectionReason.InvalidSubprotocol;
        }

        request = new WebSocketRequest(
            head,
            key,
            host,
            head.Get("Origin"),                                        // §4.2.1 item 7 (browsers)
            subprotocols,                                              // item 8
            TokenList.Split(head.GetCombined("Sec-WebSocket-Extensions"))); // item 9
        return RejectionReason.None;
    }

    /// <summary>16 bytes in canonical base64 are 22 alphabet chars and "==".</summary>
    private static bool IsValidKey(string key)
    {
        if (key.Length != 24 || key[22] != '=' || key[23] != '=') return false;
        for (int i = 0; i < 22; i++)
        {
            char c = key[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/')) return false;
        }
        Span<byte> nonce = stackalloc byte[16];
        return Convert.TryFromBase64String(key, nonce, out int written) && written == 16;
    }
}
