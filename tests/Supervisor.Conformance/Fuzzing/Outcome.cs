namespace Supervisor.Conformance.Fuzzing;

/// <summary>Autobahn's outcome categories, best first (docs/conformance.md).</summary>
public enum Outcome
{
    /// <summary>Exactly what the case expects.</summary>
    Ok,
    /// <summary>Allowed by the RFC but not the strictest behaviour (e.g. failing at the end of
    /// a message rather than at the first invalid byte).</summary>
    NonStrict,
    /// <summary>Behaviour the RFC leaves open; recorded, never a failure.</summary>
    Informational,
    /// <summary>An optional feature the server declined (a permessage-deflate offer).</summary>
    Unimplemented,
    Failed,
}

/// <summary>How the connection ended against what the case expected (Autobahn's behaviorClose).</summary>
public enum CloseOutcome
{
    Ok,
    /// <summary>The client had to drop the TCP connection: the server should have (§7.1.1).</summary>
    FailedByClient,
    /// <summary>The close frame carried a code the case does not allow.</summary>
    WrongCode,
    /// <summary>The case requires a completed closing handshake and there was none.</summary>
    Unclean,
    /// <summary>The wrong side started the closing handshake.</summary>
    Failed,
}

public static class Outcomes
{
    public static string Name(Outcome outcome) => outcome switch
    {
        Outcome.Ok => "OK",
        Outcome.NonStrict => "NON-STRICT",
        Outcome.Informational => "INFORMATIONAL",
        Outcome.Unimplemented => "UNIMPLEMENTED",
        _ => "FAILED",
    };

    /// <summary>
    /// One verdict from the two Autobahn reports: the events decide, and a close that went
    /// wrong can only make it worse — stricter than Autobahn, which shows them side by side.
    /// Dropping the TCP connection ourselves costs an OK its strictness; a wrong code, an
    /// unclean close where a clean one is required, or the wrong side closing fails it.
    /// </summary>
    public static Outcome Combine(Outcome behavior, CloseOutcome close) => behavior switch
    {
        Outcome.Informational or Outcome.Unimplemented or Outcome.Failed => behavior,
        _ => close switch
        {
            CloseOutcome.Ok => behavior,
            CloseOutcome.FailedByClient => Outcome.NonStrict,
            _ => Outcome.Failed,
        },
    };
}
