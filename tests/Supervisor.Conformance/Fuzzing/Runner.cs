using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Supervisor.Conformance.Wire;

namespace Supervisor.Conformance.Fuzzing;

public sealed record CaseResult(ConformanceCase Case, Outcome Outcome, string Detail, TimeSpan Duration);

/// <summary>Runs cases one after another, each on a connection of its own, as Autobahn does.</summary>
/// <param name="url">Where the echo app is served.</param>
/// <param name="bulkUrl">Where groups 9, 12 and 13 go (a faster echo app may serve them).</param>
/// <param name="timeScale">Multiplies every time bound, for loaded machines.</param>
public sealed class Runner(Uri url, Uri bulkUrl, double timeScale, Action<CaseResult>? progress = null)
{
    public async Task<IReadOnlyList<CaseResult>> RunAsync(IEnumerable<ConformanceCase> cases, CancellationToken cancellation)
    {
        var results = new List<CaseResult>();
        foreach (var c in cases)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = await RunOneAsync(c, cancellation);
            results.Add(result);
            progress?.Invoke(result);
        }
        return results;
    }

    public async Task<CaseResult> RunOneAsync(ConformanceCase c, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var target = c.Bulk ? bulkUrl : url;
        var bound = TimeSpan.FromSeconds(c.TimeoutSeconds * timeScale);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(bound + TimeSpan.FromSeconds(5 * timeScale));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(await ResolveAsync(target), deadline.Token);
            var handshake = await ClientHandshake.RunAsync(socket, target, c.Offer, deadline.Token);
            var (outcome, detail) = c.EngineScript is null
                ? await RunFuzzingAsync(c, socket, handshake, bound)
                : await RunEngineAsync(c, socket, handshake, deadline.Token);
            return new CaseResult(c, outcome, detail, clock.Elapsed);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException or OperationCanceledException or WebSocketException)
        {
            return new CaseResult(c, Outcome.Failed, $"{e.GetType().Name}: {e.Message}", clock.Elapsed);
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task<(Outcome, string)> RunFuzzingAsync(ConformanceCase c, Socket socket, ClientHandshake.Result handshake, TimeSpan bound)
    {
        await using var client = new FuzzingClient(socket, handshake.Leftover,
            handshakeTimeout: TimeSpan.FromSeconds(timeScale), dropTimeout: TimeSpan.FromSeconds(timeScale));
        var run = new CaseRun(client, timeScale);
        var script = c.Script(run);
        if (await Task.WhenAny(client.Lost, Task.Delay(bound)) != client.Lost)
        {
            run.Result = $"the case did not finish within {bound.TotalSeconds:0.#} s";
            client.Drop();
        }
        await Task.WhenAny(script, Task.Delay(TimeSpan.FromSeconds(2)));
        if (script.IsFaulted)
            return (Outcome.Failed, $"case script failed: {script.Exception!.InnerException?.Message}");
        return run.Evaluate();
    }

    private async Task<(Outcome, string)> RunEngineAsync(ConformanceCase c, Socket socket, ClientHandshake.Result handshake,
        CancellationToken cancellation)
    {
        var offers = ParseOffers(c.Offer);
        if (handshake.Extensions is not { } response || !response.StartsWith("permessage-deflate", StringComparison.OrdinalIgnoreCase))
        {
            // Declined: Autobahn's UNIMPLEMENTED, after a normal close.
            await using var client = new FuzzingClient(socket, handshake.Leftover, TimeSpan.FromSeconds(timeScale), TimeSpan.FromSeconds(timeScale));
            var run = new CaseRun(client, timeScale) { Behavior = Outcome.Unimplemented, Result = "permessage-deflate declined" };
            await client.SendCloseAsync(1000);
            await Task.WhenAny(client.Lost, Task.Delay(TimeSpan.FromSeconds(3 * timeScale)));
            var (outcome, detail) = run.Evaluate();
            return (outcome, outcome == Outcome.Unimplemented ? "the server declined the offer" : detail);
        }
        var (options, error) = DeflateResponseCheck.Check(response, offers);
        if (options is null)
            return (Outcome.Failed, $"RFC 7692 negotiation: {error}");

        var stream = new PrefixedStream(handshake.Leftover, new NetworkStream(socket, ownsSocket: false));
        using var engine = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = false,
            KeepAliveInterval = TimeSpan.Zero,
            DangerousDeflateOptions = options,
        });
        var engineRun = new EngineRun(engine, timeScale);
        await c.EngineScript!(engineRun);
        // Then a normal close, started by us, which must complete cleanly with 1000.
        using var closeBound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        closeBound.CancelAfter(TimeSpan.FromSeconds(3 * timeScale));
        try
        {
            if (engine.State == WebSocketState.Open)
                await engine.CloseAsync(WebSocketCloseStatus.NormalClosure, "", closeBound.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return (Outcome.Failed, $"{engineRun.Result}; close: {e.Message}");
        }
        bool clean = engine.State == WebSocketState.Closed && engine.CloseStatus == WebSocketCloseStatus.NormalClosure;
        var verdict = Outcomes.Combine(engineRun.Behavior, clean ? CloseOutcome.Ok : CloseOutcome.Unclean);
        return (verdict, verdict == Outcome.Ok ? "" : $"{engineRun.Result}; close {engine.State} {engine.CloseStatus}");
    }

    /// <summary>The offers as the case wrote them, for checking the answer.</summary>
    private static List<DeflateResponseCheck.Offer> ParseOffers(string? header) =>
        (header ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(offer =>
        {
            var parameters = offer.Split(';').Skip(1).Select(p => p.Trim().Split('=')).ToList();
            int? serverBits = parameters.FirstOrDefault(p => p[0] == "server_max_window_bits") is { Length: 2 } s ? int.Parse(s[1]) : null;
            return new DeflateResponseCheck.Offer(
                parameters.Any(p => p[0] == "server_no_context_takeover"),
                parameters.Any(p => p[0] == "client_no_context_takeover"),
                serverBits,
                parameters.Any(p => p[0] == "client_max_window_bits"));
        }).ToList();

    private static async Task<EndPoint> ResolveAsync(Uri target) =>
        IPAddress.TryParse(target.Host, out var address)
            ? new IPEndPoint(address, target.Port)
            : new IPEndPoint((await Dns.GetHostAddressesAsync(target.Host)).First(a => a.AddressFamily == AddressFamily.InterNetwork), target.Port);
}
