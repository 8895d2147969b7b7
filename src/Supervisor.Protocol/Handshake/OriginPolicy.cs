using System.Globalization;

namespace Supervisor.Protocol.Handshake;

/// <summary>
/// websocketd's --origin and --sameorigin. A browser sends the page's origin with every
/// handshake (RFC 6455 §4.1 item 8, §10.2) and, unlike for fetch, enforces nothing
/// itself: without this check any web page can open a WebSocket to this server with the
/// visitor's cookies (cross-site WebSocket hijacking).
/// </summary>
/// <remarks>
/// As websocketd does: once a check is on, a missing Origin, "null", or one that does
/// not parse is refused; a list entry <c>host</c> matches that host on any port and any
/// scheme, <c>host:port</c> that port only (a missing origin port being the scheme's
/// default), <c>scheme://host[:port]</c> that scheme only; --sameorigin wants the
/// Origin's host and port to be the request's (<see cref="RequestHead.Host"/>: the Host
/// header's, or an absolute-form target's authority). Two deliberate differences: host names
/// compare case-insensitively (DNS names are; websocketd compares bytes), and a Host
/// header without a port matches an Origin on its scheme's default port — behind a
/// TLS-terminating proxy websocketd takes that Host to mean port 80 and refuses every
/// https page. A repeated Origin field is refused too.
/// </remarks>
public sealed class OriginPolicy
{
    public static readonly OriginPolicy AllowAny = new([], sameOrigin: false);

    private readonly IReadOnlyList<Entry> _allowed;

    private OriginPolicy(IReadOnlyList<Entry> allowed, bool sameOrigin)
    {
        _allowed = allowed;
        SameOrigin = sameOrigin;
    }

    public bool SameOrigin { get; }

    /// <summary>The --origin entries as given, for the startup log.</summary>
    public IReadOnlyList<string> Allowed => _allowed.Select(e => e.Text).ToList();

    public bool IsEnabled => SameOrigin || _allowed.Count > 0;

    /// <summary>What the check found; <see cref="OriginVerdict.Allowed"/> lets the request on.</summary>
    public enum OriginVerdict { Allowed, Missing, Repeated, Unparsable, NotListed, NotSameOrigin }

    private readonly record struct Entry(string Text, string? Scheme, string Host, int? Port);

    /// <summary>Builds the policy from --origin entries (<c>host[:port]</c> or
    /// <c>scheme://host[:port]</c>, IPv6 hosts in brackets) and --sameorigin.</summary>
    /// <exception cref="FormatException">An entry is not of that form; the message names it.</exception>
    public static OriginPolicy Create(IEnumerable<string> allowed, bool sameOrigin)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var entries = new List<Entry>();
        foreach (string raw in allowed)
        {
            string text = raw.Trim();
            if (text.Length == 0)
                continue;
            string? scheme = null;
            string rest = text;
            int separator = text.IndexOf("://", StringComparison.Ordinal);
            if (separator >= 0)
            {
                scheme = text[..separator].ToLowerInvariant();
                rest = text[(separator + 3)..].TrimEnd('/');
                if (!IsScheme(scheme))
                    throw new FormatException($"{text}: not a scheme such as http:// or https://");
            }
            if (EntryError(text, rest) is { } error)
                throw new FormatException($"{text}: {error}");
            if (!TrySplitHostPort(rest, out string host, out int? port) || host.Length == 0)
                throw new FormatException($"{text}: expected host[:port] or scheme://host[:port]");
            if (!HostSyntax.IsHostAndPort(System.Text.Encoding.ASCII.GetBytes(rest)))
                throw new FormatException($"{text}: not a host name: a host holds letters, digits, '-' and '.' (IPv6 in brackets), then an optional :PORT");
            entries.Add(new Entry(text, scheme, host, port));
        }
        return new OriginPolicy(entries, sameOrigin);
    }

    /// <summary>Why an entry could never equal an Origin a browser sends (RFC 6454 §6.2:
    /// scheme, ASCII host, port — nothing else), or null. Such an entry would be accepted
    /// and then refuse everyone it was meant for, so it is an error instead.</summary>
    private static string? EntryError(string text, string hostPort)
    {
        if (text.Equals("null", StringComparison.OrdinalIgnoreCase))
            return "\"null\" is the opaque origin of sandboxed frames and file: pages, which is always refused; it cannot be allowed";
        if (hostPort.Contains('*'))
            return "wildcards are not supported: list each host (HOST, HOST:PORT or SCHEME://HOST[:PORT])";
        if (hostPort.IndexOfAny(['/', '?', '#']) is var cut and >= 0)
            return $"an origin has no path, query or fragment: give {text[..(text.Length - hostPort.Length + cut)]}";
        if (hostPort.Any(c => c > 0x7E))
        {
            // Browsers send an international name in its ASCII (punycode) form, RFC 5891 §4.4.
            string name = hostPort.Split(':')[0];
            try
            {
                return $"browsers send international host names in punycode: give {new IdnMapping().GetAscii(name.ToLowerInvariant())} for {name}";
            }
            catch (ArgumentException)
            {
                return "not a host name: browsers send host names in ASCII (punycode for international ones)";
            }
        }
        return null;
    }

    /// <summary>Checks a request's Origin field(s) against the policy.</summary>
    /// <param name="head">The request head (Origin and the request's host are read from it).</param>
    /// <param name="requestIsHttps">Whether the client reached us over TLS (directly or, as
    /// a trusted proxy says, through one): the default port of a Host without one.</param>
    public OriginVerdict Check(RequestHead head, bool requestIsHttps) => Check(head, head?.Host, requestIsHttps);

    /// <param name="head">The request head (Origin is read from it).</param>
    /// <param name="requestHost">The host the request is for, as --sameorigin compares it:
    /// <see cref="RequestHead.Host"/>, or what a trusted proxy's X-Forwarded-Host says
    /// (Apache's .htaccess proxying cannot keep the browser's Host).</param>
    /// <param name="requestIsHttps">As above.</param>
    public OriginVerdict Check(RequestHead head, string? requestHost, bool requestIsHttps)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!IsEnabled)
            return OriginVerdict.Allowed;
        int count = head.Count("Origin");
        if (count == 0)
            return OriginVerdict.Missing;
        if (count > 1)
            return OriginVerdict.Repeated;
        if (!TryParseOrigin(head.Get("Origin")!, out string scheme, out string host, out int port))
            return OriginVerdict.Unparsable;

        if (SameOrigin)
        {
            if (requestHost is null || !TrySplitHostPort(requestHost, out string requestName, out int? requestPort)
                || !SameHost(host, requestName))
                return OriginVerdict.NotSameOrigin;
            int expectedPort = requestPort ?? DefaultPort(requestIsHttps ? "https" : scheme);
            if (port != expectedPort)
                return OriginVerdict.NotSameOrigin;
        }

        if (_allowed.Count > 0 && !_allowed.Any(e => Matches(e, scheme, host, port)))
            return OriginVerdict.NotListed;
        return OriginVerdict.Allowed;
    }

    private static bool Matches(Entry entry, string scheme, string host, int port) =>
        (entry.Scheme is null || entry.Scheme == scheme)
        && SameHost(entry.Host, host)
        && (entry.Port is null || entry.Port == port);

    private static bool SameHost(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>RFC 6454 §6.2 serialization: scheme "://" host [":" port], nothing else. A
    /// trailing "/" is forgiven; a path, user info or an empty host is not an origin.</summary>
    private static bool TryParseOrigin(string value, out string scheme, out string host, out int port)
    {
        scheme = host = "";
        port = 0;
        int separator = value.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
            return false; // "null" (opaque origins: sandboxed frames, file: pages) lands here
        scheme = value[..separator].ToLowerInvariant();
        string rest = value[(separator + 3)..];
        if (rest.EndsWith('/'))
            rest = rest[..^1];
        if (!IsScheme(scheme) || rest.IndexOfAny(['/', '?', '#', '@', ' ', '\t']) >= 0)
            return false;
        if (!TrySplitHostPort(rest, out host, out int? explicitPort) || host.Length == 0)
            return false;
        port = explicitPort ?? DefaultPort(scheme);
        return true;
    }

    /// <summary>"host", "host:port", "[v6]" or "[v6]:port"; the port 1–65535 in digits.</summary>
    private static bool TrySplitHostPort(string text, out string host, out int? port)
    {
        host = "";
        port = null;
        string portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
                return false;
            host = text[..(close + 1)];
            string after = text[(close + 1)..];
            if (after.Length == 0)
                return true;
            if (after[0] != ':')
                return false;
            portText = after[1..];
        }
        else
        {
            int colon = text.IndexOf(':');
            if (colon < 0)
            {
                host = text;
                return !text.Contains(']');
            }
            if (text.IndexOf(':', colon + 1) >= 0)
                return false; // an unbracketed IPv6 address: ambiguous
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        if (portText.Length is 0 or > 5
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            || number is < 1 or > 65535)
            return false;
        port = number;
        return true;
    }

    private static int DefaultPort(string scheme) => scheme is "https" or "wss" ? 443 : 80;

    /// <summary>RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), already lowercased.</summary>
    private static bool IsScheme(string scheme) =>
        scheme.Length > 0 && char.IsAsciiLetter(scheme[0])
        && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
}
