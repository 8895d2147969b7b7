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
        var plainGet = await RawHttp.ExchangeAsync(server.Port, "GET /json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", cts.Token);
        Assert.StartsWith("HTTP/1.1 400 ", plainGet.StatusLine);
        await server.WaitForLogAsync(new("rejected"), TimeSpan.FromSeconds(5));

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
        // Fields, not text-line padding: the connection's id and address come as their own
        // fields, never as the text format's " ID ADDR" prefix, and no field is an empty string.
        var ended = events.First(e => e.GetProperty("RenderedMessage").GetString()!.Contains("connection ended")).GetProperty("Properties");
        Assert.Matches("^[0-9a-f]{16}$", ended.GetProperty("ConnectionId").GetString());
        foreach (var e in events)
        {
            var properties = e.GetProperty("Properties");
            Assert.False(properties.TryGetProperty("ConnectionTag", out _), $"text-format padding in a JSON line: {e}");
            Assert.DoesNotContain(properties.EnumerateObject(), p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "");
        }
    }
}
