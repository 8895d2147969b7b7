using System.Text;
using Supervisor.Conformance.Wire;

namespace Supervisor.Conformance.Fuzzing;

/// <summary>What a case expects at the end: who starts the closing handshake, which close
/// codes may come back, and whether the handshake must complete (Autobahn's expectedClose).</summary>
public sealed record CloseExpectation(bool ClosedByMe, int[] Codes, bool RequireClean);

/// <summary>
/// One case in progress: the case script drives it through these methods (the names are
/// Autobahn's: sendFrame, sendMessage, killAfter, closeAfter…), and the evaluation at the
/// end follows Autobahn's Case.onConnectionLost. Time bounds are Autobahn's, multiplied by
/// the run's time scale.
/// </summary>
public sealed class CaseRun
{
    private readonly List<(Outcome Outcome, List<WsEvent> Events)> _expected = [];

    public CaseRun(FuzzingClient client, double timeScale)
    {
        Client = client;
        TimeScale = timeScale;
        client.EventRecorded = FinishWhenDone;
    }

    public FuzzingClient Client { get; }

    public double TimeScale { get; }

    public CloseExpectation ExpectedClose { get; set; } = new(true, [1000], true);

    /// <summary>Cases that deliberately close badly do not close on a match.</summary>
    public bool SuppressClose { get; set; }

    /// <summary>Set by cases that judge the events themselves (groups 9, 10, 12, 13).</summary>
    public Outcome? Behavior { get; set; }

    /// <summary>Overrides the final verdict whatever the close (Autobahn's INFORMATIONAL cases).</summary>
    public Outcome? Verdict { get; set; }

    public string Result { get; set; } = "";

    public bool IsOpen => Client.IsOpen;

    public void Expect(Outcome outcome, params WsEvent[] events) => _expected.Add((outcome, events.ToList()));

    public void ExpectClose(bool closedByMe, int[] codes, bool requireClean) => ExpectedClose = new(closedByMe, codes, requireClean);

    /// <summary>Failing the connection is the expected reaction, with this close code.</summary>
    public void ExpectFailure(int code) => ExpectClose(false, [code], false);

    public Task SendFrame(byte opcode, byte[]? payload = null, bool fin = true, int rsv = 0, int chopSize = 0, bool sync = false) =>
        Client.SendRawAsync(FrameBuilder.Build(opcode, payload ?? [], fin, rsv), chopSize, sync);

    public Task SendFrame(byte opcode, string payload, bool fin = true, int rsv = 0, int chopSize = 0, bool sync = false) =>
        SendFrame(opcode, Encoding.UTF8.GetBytes(payload), fin, rsv, chopSize, sync);

    /// <summary>A whole message, in frames of <paramref name="fragmentSize"/> bytes (0: one frame).</summary>
    public async Task SendMessage(byte[] payload, bool binary, int fragmentSize = 0, int chopSize = 0)
    {
        byte first = binary ? Opcode.Binary : Opcode.Text;
        if (fragmentSize <= 0 || payload.Length <= fragmentSize)
        {
            await SendFrame(first, payload, chopSize: chopSize);
            return;
        }
        var frames = new MemoryStream();
        for (int offset = 0; offset < payload.Length; offset += fragmentSize)
        {
            int length = Math.Min(fragmentSize, payload.Length - offset);
            frames.Write(FrameBuilder.Build(offset == 0 ? first : Opcode.Continuation, payload.AsSpan(offset, length),
                fin: offset + length == payload.Length));
        }
        await Client.SendRawAsync(frames.ToArray(), chopSize);
    }

    public Task SendClose(int? code, byte[]? reason = null) => Client.SendCloseAsync(code, reason);

    /// <summary>Records ("timeout", label) if the connection is still open, as Autobahn's
    /// fail-fast cases do between parts; false if it is not.</summary>
    public bool Timeout(string label)
    {
        if (!IsOpen)
            return false;
        Client.Record(WsEvent.TimeoutAt(label));
        return true;
    }

    public Task Wait(double seconds) => Task.Delay(Scaled(seconds));

    /// <summary>Drops the TCP connection after that long unless it has ended by then.</summary>
    public void KillAfter(double seconds) => _ = AfterAsync(seconds, Client.Drop);

    /// <summary>Starts a normal close after that long unless the connection has ended.</summary>
    public void CloseAfter(double seconds) => _ = AfterAsync(seconds, () =>
    {
        if (IsOpen)
            _ = SendClose(1000);
    });

    public TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * TimeScale);

    private async Task AfterAsync(double seconds, Action action)
    {
        if (await Task.WhenAny(Client.Lost, Task.Delay(Scaled(seconds))) != Client.Lost)
            action();
    }

    /// <summary>Autobahn's finishWhenDone: once the events match every expectation, the
    /// side that is expected to close does.</summary>
    private void FinishWhenDone()
    {
        if (_expected.Count == 0 || !ExpectedClose.ClosedByMe || SuppressClose)
            return;
        var received = Client.Received;
        if (_expected.All(e => WsEvent.SameSequence(received, e.Events)))
            _ = SendClose(ExpectedClose.Codes[0]);
    }

    /// <summary>Autobahn's onConnectionLost, then one verdict (<see cref="Outcomes.Combine"/>).</summary>
    public (Outcome Outcome, string Detail) Evaluate()
    {
        var received = Client.Received;
        var behavior = Behavior ?? Outcome.Failed;
        if (Behavior is null)
        {
            foreach (var (outcome, events) in _expected)
            {
                if (WsEvent.SameSequence(received, events))
                {
                    behavior = outcome;
                    break;
                }
            }
        }
        if (Client.ServerViolation is { } violation)
            return (Outcome.Failed, $"the server broke the protocol: {violation}");

        var close = EvaluateClose(out string closeDetail);
        var verdict = Verdict ?? Outcomes.Combine(behavior, close);
        string detail = verdict == Outcome.Ok ? "" :
            $"{Result}{(Result.Length > 0 ? "; " : "")}events: [{string.Join(", ", received.Take(6))}{(received.Count > 6 ? ", …" : "")}]; close: {closeDetail}";
        return (verdict, detail);
    }

    private CloseOutcome EvaluateClose(out string detail)
    {
        var client = Client;
        detail = $"closedByMe={client.ClosedByMe} clean={client.WasClean} code={client.RemoteCloseCode?.ToString() ?? "none"} droppedByMe={client.DroppedByMe}";
        if (ExpectedClose.ClosedByMe != client.ClosedByMe)
            return CloseOutcome.Failed;
        if (ExpectedClose.RequireClean && !client.WasClean)
            return CloseOutcome.Unclean;
        if (client.RemoteCloseCode is int code && !ExpectedClose.Codes.Contains(code))
            return CloseOutcome.WrongCode;
        if (client.DroppedByMe)
            return CloseOutcome.FailedByClient;
        return CloseOutcome.Ok;
    }
}
