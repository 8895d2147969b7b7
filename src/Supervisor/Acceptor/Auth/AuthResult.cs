namespace Supervisor.Acceptor.Auth;

/// <summary>What the auth program decided: a user id, a refusal with its reason, or no
/// decision at all (it crashed, hung or printed nothing usable).</summary>
public sealed record AuthResult(AuthOutcome Outcome, string Text)
{
    public static AuthResult Accepted(string userId) => new(AuthOutcome.Accepted, userId);

    public static AuthResult Denied(string reason) => new(AuthOutcome.Denied, reason);

    public static AuthResult Failed(string why) => new(AuthOutcome.Failed, why);
}

public enum AuthOutcome { Accepted, Denied, Failed }
