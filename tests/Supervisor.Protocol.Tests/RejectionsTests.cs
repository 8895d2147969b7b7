using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Tests;

public class RejectionsTests
{
    public static TheoryData<RejectionReason> EveryReason()
        => new(Enum.GetValues<RejectionReason>().Where(r => r != RejectionReason.None));

    [Theory]
    [MemberData(nameof(EveryReason))]
    public void StatusCodeAndDescribe_EveryReason_ClientOrServerErrorAndOneLine(RejectionReason reason)
    {
        int status = Rejections.StatusCode(reason);
        string text = Rejections.Describe(reason);

        Assert.InRange(status, 400, 599);
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\r', text);
    }

    [Theory]
    [InlineData(RejectionReason.MalformedRequestLine, 400)]
    [InlineData(RejectionReason.MalformedHeaderLine, 400)]
    [InlineData(RejectionReason.InvalidHeaderName, 400)]
    [InlineData(RejectionReason.InvalidHeaderValue, 400)]
    [InlineData(RejectionReason.UnsupportedHttpVersion, 505)]
    [InlineData(RejectionReason.HeadTooLarge, 431)]
    [InlineData(RejectionReason.HeadTimeout, 408)]
    [InlineData(RejectionReason.InvalidHost, 400)]
    [InlineData(RejectionReason.InvalidContentLength, 400)]
    [InlineData(RejectionReason.MethodNotGet, 405)]
    [InlineData(RejectionReason.MissingHost, 400)]
    [InlineData(RejectionReason.NotWebSocketRequest, 400)]
    [InlineData(RejectionReason.UpgradeWithBody, 400)]
    [InlineData(RejectionReason.UnsupportedExpectation, 417)]
    [InlineData(RejectionReason.MissingUpgradeToken, 400)]
    [InlineData(RejectionReason.MissingConnectionUpgrade, 400)]
    [InlineData(RejectionReason.MissingKey, 400)]
    [InlineData(RejectionReason.InvalidKey, 400)]
    [InlineData(RejectionReason.UnsupportedVersion, 426)]
    [InlineData(RejectionReason.InvalidSubprotocol, 400)]
    [InlineData(RejectionReason.NoSuchApp, 404)]
    [InlineData(RejectionReason.AtCapacity, 503)]
    [InlineData(RejectionReason.AuthDenied, 403)]
    [InlineData(RejectionReason.AuthFailed, 503)]
    [InlineData(RejectionReason.SpawnFailed, 503)]
    [InlineData(RejectionReason.InvalidTarget, 400)]
    [InlineData(RejectionReason.AsteriskForm, 405)]
    [InlineData(RejectionReason.StaticMethodNotAllowed, 405)]
    [InlineData(RejectionReason.FieldTooLargeForApp, 431)]
    [InlineData(RejectionReason.OriginNotAllowed, 403)]
    [InlineData(RejectionReason.PerIpLimit, 429)]
    [InlineData(RejectionReason.PerUserLimit, 429)]
    [InlineData(RejectionReason.SpawnRateLimit, 429)]
    [InlineData(RejectionReason.NoFileDescriptors, 503)]
    public void StatusCode_Reason_PinnedStatus(RejectionReason reason, int status)
    {
        Assert.Equal(status, Rejections.StatusCode(reason));
    }

    [Fact]
    public void StatusCode_TableCoversEveryReason_NoneMissingFromThisTest()
    {
        // Adding a reason must come with a row in StatusCode_Reason_PinnedStatus.
        Assert.Equal(35, Enum.GetValues<RejectionReason>().Length);
    }

    [Theory]
    [InlineData(RejectionReason.AtCapacity)]
    [InlineData(RejectionReason.PerIpLimit)]
    [InlineData(RejectionReason.PerUserLimit)]
    [InlineData(RejectionReason.SpawnRateLimit)]
    [InlineData(RejectionReason.NoFileDescriptors)]
    [InlineData(RejectionReason.SpawnFailed)]
    public void IsRetryLater_CapacityAndResourceReasons_TrueAndTextFitsACloseFrame(RejectionReason reason)
    {
        Assert.True(Rejections.IsRetryLater(reason));
        // The text doubles as the 1013 close frame's reason: at most 123 bytes (RFC 6455 §5.5).
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(Rejections.Describe(reason)), 1, 123);
    }

    [Fact]
    public void IsRetryLater_EveryOtherReason_False()
    {
        RejectionReason[] retryLater =
        [
            RejectionReason.AtCapacity, RejectionReason.PerIpLimit, RejectionReason.PerUserLimit,
            RejectionReason.SpawnRateLimit, RejectionReason.NoFileDescriptors, RejectionReason.SpawnFailed,
        ];
        foreach (var reason in Enum.GetValues<RejectionReason>().Except(retryLater))
            Assert.False(Rejections.IsRetryLater(reason), reason.ToString());
    }

    [Fact]
    public void StatusCodeAndDescribe_None_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Rejections.StatusCode(RejectionReason.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rejections.Describe(RejectionReason.None));
    }

    [Fact]
    public void Describe_NotWebSocketRequest_TellsBrowserUserWhatThisIs()
    {
        Assert.Contains("WebSocket client", Rejections.Describe(RejectionReason.NotWebSocketRequest));
    }
}
