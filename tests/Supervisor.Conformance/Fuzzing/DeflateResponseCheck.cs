using System.Net.WebSockets;

namespace Supervisor.Conformance.Fuzzing;

/// <summary>
/// The client's side of RFC 7692 §7.1: is the server's answer a valid acceptance of one
/// of the offers made, and what engine options follow from it. Written apart from the
/// server's negotiator on purpose.
/// </summary>
public static class DeflateResponseCheck
{
    public sealed record Offer(bool ServerNoContextTakeover, bool ClientNoContextTakeover, int? ServerMaxWindowBits, bool ClientMaxWindowBits);

    /// <summary>The engine options for the response, or an error saying which rule it breaks.</summary>
    public static (WebSocketDeflateOptions? Options, string? Error) Check(string response, IReadOnlyList<Offer> offers)
    {
        var parts = response.Split(';').Select(p => p.Trim()).ToArray();
        if (parts.Length == 0 || !parts[0].Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase) || response.Contains(','))
            return (null, $"not a single permessage-deflate response: {response}");
        bool serverNoContext = false, clientNoContext = false;
        int? serverBits = null, clientBits = null;
        var seen = new HashSet<string>();
        foreach (string part in parts.Skip(1))
        {
            string[] nameValue = part.Split('=', 2);
            string name = nameValue[0].Trim().ToLowerInvariant();
            string? value = nameValue.Length > 1 ? nameValue[1].Trim().Trim('"') : null;
            if (!seen.Add(name))
                return (null, $"{name} repeated");
            switch (name)
            {
                case "server_no_context_takeover" when value is null: serverNoContext = true; break;
                case "client_no_context_takeover" when value is null: clientNoContext = true; break;
                case "server_max_window_bits" when Bits(value) is int bits: serverBits = bits; break;
                case "client_max_window_bits" when Bits(value) is int bits: clientBits = bits; break;
                default: return (null, $"parameter not valid in a response: {part}");
            }
        }
        // The response must accept one of the offers as made (§5.1, §7.1.1, §7.1.2).
        foreach (var offer in offers)
        {
            if (offer.ServerNoContextTakeover && !serverNoContext)
                continue; // §7.1.1.1: asked for, so it must be in the answer
            if (serverBits is int s && (offer.ServerMaxWindowBits is not int offered || s > offered))
                continue; // §7.1.2.1: only as asked for, never larger
            if (offer.ServerMaxWindowBits is not null && serverBits is null)
                continue; // §7.1.2.1: a limit asked for is answered
            if (clientBits is not null && !offer.ClientMaxWindowBits)
                continue; // §7.1.2.2: MUST NOT without the offer's parameter
            return (new WebSocketDeflateOptions
            {
                ServerContextTakeover = !serverNoContext,
                ClientContextTakeover = !clientNoContext,
                ServerMaxWindowBits = serverBits ?? 15,
                ClientMaxWindowBits = Math.Max(clientBits ?? 15, 9),
            }, null);
        }
        return (null, $"the response matches none of the offers: {response}");
    }

    private static int? Bits(string? value) => int.TryParse(value, out int bits) && bits is >= 8 and <= 15 ? bits : null;
}
