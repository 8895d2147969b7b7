using System.Text;

namespace Supervisor.Protocol.Handshake;

/// <summary>
/// The two fields whose values the parser holds to their grammar, because what they say
/// is acted on before any other check. Host names the server the request is for: RFC 9112
/// §3.2, 400 for "a Host header field with an invalid field value". Content-Length says
/// where the message ends: RFC 9112 §6.3 item 5, an invalid one, or several that differ,
/// make the framing invalid and "the server MUST respond with a 400". Every other value
/// is opaque here.
/// </summary>
internal static class FieldGrammar
{
    /// <param name="contentLengths">Content-Length fields seen so far in this head.</param>
    public static RejectionReason Check(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref int contentLengths)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            // Empty is grammatical: a client sends it when the target has no authority
            // (RFC 9112 §3.2). Whether the request then has a host is the validator's call.
            return value.IsEmpty || HostSyntax.IsHostAndPort(value) ? RejectionReason.None : RejectionReason.InvalidHost;
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            // RFC 9110 §8.6: Content-Length = 1*DIGIT, so "-1", "abc", "1 2" and the
            // list "5, 5" are out. A second field is refused even when it repeats the
            // first (§8.6 lets us; Kestrel does too): no two parsers on the path can then
            // disagree on which one counts.
            contentLengths++;
            bool valid = contentLengths == 1 && !value.IsEmpty && value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
            return valid ? RejectionReason.None : RejectionReason.InvalidContentLength;
        }

        return RejectionReason.None;
    }
}
