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

        // §4.2.1 item 1: "An HTTP/1.1 or higher GET request". Methods are case-sensitive
        // (RFC 9110 §9.1). The version was settled by the parser.
        if (!string.Equals(head.Method, "GET", StringComparison.Ordinal))
            return RejectionReason.MethodNotGet;

        // §4.2.1 item 2, and RFC 9112 §3.2: 400 for a missing Host, an empty one, or
        // more than one (a repeated Host is a request-smuggling tool).
        string? host = head.Get("Host");
        if (string.IsNullOrEmpty(host) || head.Count("Host") != 1)
            return RejectionReason.MissingHost;

        // A browser pointed at the endpoint sends neither: tell its user what this is.
        string? upgrade = head.GetCombined("Upgrade");
        string? key = head.Get("Sec-WebSocket-Key");
        if (upgrade is null && key is null)
            return RejectionReason.NotWebSocketRequest;

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
