using System.Text;

namespace Supervisor.Conformance.Fuzzing;

public enum EventKind { Message, Ping, Pong, Timeout }

/// <summary>What the client observed, in order: Autobahn's ("message", payload, binary),
/// ("ping", payload), ("pong", payload) and ("timeout", label) tuples.</summary>
public sealed record WsEvent(EventKind Kind, byte[] Payload, bool Binary = false, string Label = "")
{
    public static WsEvent Text(string text) => new(EventKind.Message, Encoding.UTF8.GetBytes(text));

    public static WsEvent Message(byte[] payload, bool binary) => new(EventKind.Message, payload, binary);

    public static WsEvent PongOf(string payload) => new(EventKind.Pong, Encoding.UTF8.GetBytes(payload));

    public static WsEvent PongOf(byte[] payload) => new(EventKind.Pong, payload);

    public static WsEvent TimeoutAt(string label) => new(EventKind.Timeout, [], Label: label);

    public bool SameAs(WsEvent other) =>
        Kind == other.Kind && Binary == other.Binary && Label == other.Label && Payload.AsSpan().SequenceEqual(other.Payload);

    public static bool SameSequence(IReadOnlyList<WsEvent> a, IReadOnlyList<WsEvent> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => pair.First.SameAs(pair.Second));

    public override string ToString() => Kind switch
    {
        EventKind.Timeout => $"timeout {Label}",
        _ => $"{Kind.ToString().ToLowerInvariant()}{(Binary ? " binary" : "")} {Payload.Length}B {Preview(Payload)}",
    };

    private static string Preview(byte[] payload) =>
        payload.Length == 0 ? "" : Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 12))) + (payload.Length > 12 ? "…" : "");
}
