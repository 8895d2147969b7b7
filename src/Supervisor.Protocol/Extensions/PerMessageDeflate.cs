namespace Supervisor.Protocol.Extensions;

/// <summary>
/// What the server agreed to for permessage-deflate (RFC 7692 §7), as it is written in
/// the 101's Sec-WebSocket-Extensions. The worker (or a socket-mode app) reads the same
/// text back with <see cref="Parse"/>, so what was promised and what runs cannot differ.
/// </summary>
/// <param name="ServerMaxWindowBits">Announced only when the client asked for a limit (§7.1.2.1).</param>
/// <param name="ClientMaxWindowBits">Never announced by this server (§7.1.2.2 lets it leave the client's window as it
/// is); read back when a socket-mode app parses an agreement that has it.</param>
public sealed record DeflateAgreement(
    bool ServerNoContextTakeover,
    bool ClientNoContextTakeover,
    int? ServerMaxWindowBits,
    int? ClientMaxWindowBits)
{
    public string ToHeaderValue()
    {
        var parameters = new List<ExtensionParameter>();
        if (ServerNoContextTakeover)
            parameters.Add(new(PerMessageDeflate.ServerNoContextTakeover, null));
        if (ClientNoContextTakeover)
            parameters.Add(new(PerMessageDeflate.ClientNoContextTakeover, null));
        if (ServerMaxWindowBits is int server)
            parameters.Add(new(PerMessageDeflate.ServerMaxWindowBits, server.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (ClientMaxWindowBits is int client)
            parameters.Add(new(PerMessageDeflate.ClientMaxWindowBits, client.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new ExtensionElement(PerMessageDeflate.Name, parameters).ToString();
    }

    /// <summary>Reads a response value written by <see cref="ToHeaderValue"/> (or any valid
    /// permessage-deflate response); null if it is not one.</summary>
    public static DeflateAgreement? Parse(string? headerValue)
    {
        if (string.IsNullOrEmpty(headerValue) || ExtensionElement.Parse(headerValue) is not { } element
            || !PerMessageDeflate.IsDeflate(element))
            return null;
        bool serverNoContext = false, clientNoContext = false;
        int? serverBits = null, clientBits = null;
        foreach (var parameter in element.Parameters)
        {
            switch (parameter.Name.ToLowerInvariant())
            {
                case PerMessageDeflate.ServerNoContextTakeover: serverNoContext = true; break;
                case PerMessageDeflate.ClientNoContextTakeover: clientNoContext = true; break;
                case PerMessageDeflate.ServerMaxWindowBits:
                    serverBits = PerMessageDeflate.ParseWindowBits(parameter.Value);
                    if (serverBits is null) return null;
                    break;
                case PerMessageDeflate.ClientMaxWindowBits:
                    clientBits = PerMessageDeflate.ParseWindowBits(parameter.Value);
                    if (clientBits is null) return null;
                    break;
                default: return null;
            }
        }
        return new DeflateAgreement(serverNoContext, clientNoContext, serverBits, clientBits);
    }
}

/// <summary>
/// The server side of RFC 7692's negotiation: accepts the first permessage-deflate offer
/// it can honour exactly (§5.1) and declines the rest. Our side's policy is fixed:
/// <list type="bullet">
/// <item>no context takeover either way (§7.1.1.1 and §7.1.1.2 let a server ask for both
/// unprompted): an idle connection then holds no zlib state at all — a persistent deflate
/// context costs ~256 KiB at window 15 (zlib's 2^(w+2) + 2^(memLevel+9) with memLevel 8),
/// several times a whole idle worker — at the price of a weaker ratio on small,
/// repetitive messages;</item>
/// <item>a client's server_max_window_bits=N is honoured for N in 9..15; N=8 declines the
/// offer, because zlib cannot make a raw deflate stream with a 256-byte window (zlib-ng's
/// deflateInit2 refuses it; older zlib silently used 512) (§7.1.2.1 lets a server decline
/// what it does not support);</item>
/// <item>client_max_window_bits is accepted and left unannounced, which §7.1.2.2 reads as
/// "the server can receive any window up to 32 KiB" — our inflater always can.</item>
/// </list>
/// </summary>
public static class PerMessageDeflate
{
    public const string Name = "permessage-deflate";
    public const string ServerNoContextTakeover = "server_no_context_takeover";
    public const string ClientNoContextTakeover = "client_no_context_takeover";
    public const string ServerMaxWindowBits = "server_max_window_bits";
    public const string ClientMaxWindowBits = "client_max_window_bits";

    /// <summary>The smallest window zlib's raw deflate supports (<see cref="Compression.MessageDeflater.MinWindowBits"/>).</summary>
    public const int MinSupportedWindowBits = 9;

    /// <summary>The agreement for the first acceptable offer among the request's extension
    /// elements, or null: no offer, or none we can honour (then the 101 names no extension
    /// and messages go uncompressed, RFC 6455 §9.1).</summary>
    public static DeflateAgreement? Negotiate(IReadOnlyList<string> extensionElements)
    {
        foreach (string text in extensionElements)
        {
            if (ExtensionElement.Parse(text) is { } element && IsDeflate(element) && Accept(element) is { } agreement)
                return agreement;
        }
        return null;
    }

    internal static bool IsDeflate(ExtensionElement element) =>
        string.Equals(element.Name, Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>§7.1: decline an offer with an unknown parameter, an invalid value, a
    /// repeated parameter, or a configuration we do not support.</summary>
    private static DeflateAgreement? Accept(ExtensionElement offer)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int? serverBits = null;
        foreach (var parameter in offer.Parameters)
        {
            if (!seen.Add(parameter.Name))
                return null;
            switch (parameter.Name.ToLowerInvariant())
            {
                case ServerNoContextTakeover:
                case ClientNoContextTakeover:
                    if (parameter.Value is not null)
                        return null; // §7.1.1: these have no value
                    break;
                case ServerMaxWindowBits:
                    // §7.1.2.1: a value is required in an offer.
                    if (ParseWindowBits(parameter.Value) is not int bits || bits < MinSupportedWindowBits)
                        return null;
                    serverBits = bits;
                    break;
                case ClientMaxWindowBits:
                    // §7.1.2.2: with or without a value; a value must be 8..15.
                    if (parameter.Value is not null && ParseWindowBits(parameter.Value) is null)
                        return null;
                    break;
                default:
                    return null;
            }
        }
        return new DeflateAgreement(
            ServerNoContextTakeover: true,
            ClientNoContextTakeover: true,
            ServerMaxWindowBits: serverBits,
            ClientMaxWindowBits: null);
    }

    /// <summary>§7.1.2: a decimal integer 8..15 without leading zeros; null otherwise.</summary>
    internal static int? ParseWindowBits(string? value) =>
        value is { Length: 1 } && value[0] is >= '8' and <= '9' ? value[0] - '0'
        : value is { Length: 2 } && value[0] == '1' && value[1] is >= '0' and <= '5' ? 10 + (value[1] - '0')
        : null;
}
