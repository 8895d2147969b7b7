using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Tests;

public class AcceptKeyTests
{
    [Fact]
    public void Compute_Rfc6455SampleNonce_MatchesRfcValue()
    {
        // RFC 6455 §1.3 worked example.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", AcceptKey.Compute("dGhlIHNhbXBsZSBub25jZQ=="));
    }
}
