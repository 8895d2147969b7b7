using Supervisor.Protocol.Cgi;

namespace Supervisor.Protocol.Tests;

public class EnvironmentLimitsTests
{
    [Theory]
    // value length → over Linux's MAX_ARG_STRLEN ("HTTP_X=" + value + NUL > 131072)?
    [InlineData(131072 - 8, false)]
    [InlineData(131072 - 7, true)]
    [InlineData(0, false)]
    public void FirstTooLong_AtTheKernelsLimit(int valueLength, bool tooLong)
    {
        KeyValuePair<string, string>[] variables = [new("REMOTE_ADDR", "127.0.0.1"), new("HTTP_X", new string('x', valueLength))];

        var found = EnvironmentLimits.FirstTooLong(variables);

        Assert.Equal(tooLong, found is not null);
        if (tooLong)
            Assert.Equal(("HTTP_X", 131073), found!.Value);
    }
}
