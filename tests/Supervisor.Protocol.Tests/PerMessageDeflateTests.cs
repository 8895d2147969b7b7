using Supervisor.Protocol.Extensions;

namespace Supervisor.Protocol.Tests;

/// <summary>RFC 7692 §7.1 from the server's side: which offers are accepted, and what the
/// 101 says back.</summary>
public sealed class PerMessageDeflateTests
{
    private const string NoContext = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Theory]
    // Chrome's and Firefox's offer.
    [InlineData("permessage-deflate; client_max_window_bits", NoContext)]
    [InlineData("permessage-deflate", NoContext)]
    [InlineData("PerMessage-Deflate", NoContext)]
    // §7.1.1.1: server_no_context_takeover asked for is granted (we always grant it).
    [InlineData("permessage-deflate; server_no_context_takeover", NoContext)]
    [InlineData("permessage-deflate; client_no_context_takeover", NoContext)]
    // §7.1.2.1: server_max_window_bits=N is answered with N (9..15).
    [InlineData("permessage-deflate; server_max_window_bits=10", NoContext + "; server_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=15", NoContext + "; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_max_window_bits=\"12\"", NoContext + "; server_max_window_bits=12")]
    // §7.1.2.2: client_max_window_bits with a value is fine; we do not constrain the client.
    [InlineData("permessage-deflate; client_max_window_bits=8", NoContext)]
    [InlineData("permessage-deflate ; client_max_window_bits = 15 ", NoContext)]
    public void Negotiate_AcceptableOffer_Agreement(string offer, string response) =>
        Assert.Equal(response, PerMessageDeflate.Negotiate([offer])?.ToHeaderValue());

    [Theory]
    [InlineData("x-webkit-deflate-frame")]                                  // another extension
    [InlineData("permessage-deflate; server_max_window_bits=8")]            // zlib cannot do 8
    [InlineData("permessage-deflate; server_max_window_bits")]              // value required
    [InlineData("permessage-deflate; server_max_window_bits=16")]           // out of range
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; server_max_window_bits=010")]          // leading zero
    [InlineData("permessage-deflate; client_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]        // takes no value
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")] // repeated
    [InlineData("permessage-deflate; mystery")]                             // unknown parameter
    [InlineData("permessage-deflate; server_max_window_bits=\"10")]         // unterminated quote
    [InlineData("permessage-deflate;;")]                                    // empty parameter
    public void Negotiate_UnacceptableOffer_Declined(string offer) =>
        Assert.Null(PerMessageDeflate.Negotiate([offer]));

    [Fact]
    public void Negotiate_FallbackOffers_FirstAcceptableWins()
    {
        // RFC 7692 §7.1.3's example shape: a preferred offer, then a fallback.
        var agreement = PerMessageDeflate.Negotiate([
            "permessage-deflate; client_max_window_bits; server_max_window_bits=8",
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10",
            "permessage-deflate",
        ]);

        Assert.Equal(NoContext + "; server_max_window_bits=10", agreement?.ToHeaderValue());
    }

    [Fact]
    public void Negotiate_NoOffers_Null() => Assert.Null(PerMessageDeflate.Negotiate([]));

    [Theory]
    [InlineData(NoContext, true, true, null, null)]
    [InlineData("permessage-deflate", false, false, null, null)]
    [InlineData("permessage-deflate; server_max_window_bits=10; client_max_window_bits=8", false, false, 10, 8)]
    public void Parse_Response_TheAgreementAsWritten(string response, bool serverNoContext, bool clientNoContext, int? serverBits, int? clientBits)
    {
        Assert.Equal(new DeflateAgreement(serverNoContext, clientNoContext, serverBits, clientBits), DeflateAgreement.Parse(response));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("permessage-deflate; server_max_window_bits=99")]
    [InlineData("other-extension")]
    public void Parse_NotAnAgreement_Null(string? response) => Assert.Null(DeflateAgreement.Parse(response));
}
