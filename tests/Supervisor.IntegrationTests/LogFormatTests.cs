using System.Text.Json;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>--log-format=json: every log line is one JSON object, connection events included.</summary>
public sealed class LogFormatTests
{
    [Fact]
    public async Task LogFormat_Json_EveryLineIsAJsonObject()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--log-format=json", Paths.Script("echo.sh"));
        await WsClient.AssertServerEchoesAsync(server.Url("/json"), cts.Token);
        await server.WaitForLogAsync(new("connection ended"), TimeSpan.FromSeconds(5));

        var events = server.StderrLines.Select(line =>
        {
            try
            {
                return JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"not a JSON log line ({e.Message}): {line}");
            }
        }).ToList();
        Assert.Contains(events, e => e.TryGetProperty("RenderedMessage", out var m) && m.GetString()!.Contains("connection opened"));
        Assert.Contains(events, e => e.TryGetProperty("RenderedMessage", out var m) && m.GetString()!.Contains("connection ended"));
    }
}
