namespace Supervisor.Unix;

/// <summary>How a child ended, decoded from a waitpid status word.</summary>
public readonly record struct ChildExit(int ExitCode, int Signal)
{
    public bool Signaled => Signal != 0;

    public bool Succeeded => !Signaled && ExitCode == 0;

    // WIFEXITED: low 7 bits zero; WEXITSTATUS: bits 8–15; WTERMSIG: low 7 bits.
    public static ChildExit FromStatus(int status) =>
        (status & 0x7f) == 0 ? new ChildExit((status >> 8) & 0xff, 0) : new ChildExit(-1, status & 0x7f);

    /// <summary>What <see cref="Processes"/> returns for a child that someone else reaped (ECHILD).</summary>
    public bool StatusLost => !Signaled && ExitCode < 0;

    public override string ToString() =>
        Signaled ? $"killed by signal {Signal}" : StatusLost ? "status unknown (reaped elsewhere)" : $"exit code {ExitCode}";
}
