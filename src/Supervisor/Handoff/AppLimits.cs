using System.Globalization;
using System.Text;

namespace Supervisor.Handoff;

/// <summary>
/// The rlimits every app starts under (--limit-as, --limit-cpu, --limit-nofile,
/// --limit-nproc); null leaves that one as the worker has it. Soft and hard are set
/// alike, so the app cannot raise them again — except CPU, whose hard limit is one
/// second later: SIGXCPU at the limit (an app may catch it and finish cleanly), SIGKILL
/// a second after. They reach the worker in its start frame and the app through
/// <c>ws-supervisor exec-app LIMITS PATH ARGS…</c>, which sets them and execs the app.
/// </summary>
public sealed record AppLimits(ulong? AddressSpaceBytes, ulong? CpuSeconds, ulong? OpenFiles, ulong? Processes)
{
    public static readonly AppLimits None = new(null, null, null, null);

    public bool IsEmpty => this == None;

    /// <summary>The hard CPU limit for a soft one: a second of grace between SIGXCPU and SIGKILL.</summary>
    public static ulong CpuHardLimit(ulong soft) => soft == ulong.MaxValue ? soft : soft + 1;

    /// <summary>"as=104857600,cpu=1,nofile=16,nproc=64", the parts that are set, in that order.</summary>
    public string Encode()
    {
        var text = new StringBuilder();
        void Add(string name, ulong? value)
        {
            if (value is not ulong v)
                return;
            if (text.Length > 0)
                text.Append(',');
            text.Append(name).Append('=').Append(v.ToString(CultureInfo.InvariantCulture));
        }
        Add("as", AddressSpaceBytes);
        Add("cpu", CpuSeconds);
        Add("nofile", OpenFiles);
        Add("nproc", Processes);
        return text.ToString();
    }

    /// <summary>The inverse of <see cref="Encode"/>; throws <see cref="FormatException"/>.</summary>
    public static AppLimits Decode(string text)
    {
        var limits = None;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            if (equals <= 0 || !ulong.TryParse(part.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
                throw new FormatException($"bad limit \"{part}\"");
            limits = part[..equals] switch
            {
                "as" => limits with { AddressSpaceBytes = value },
                "cpu" => limits with { CpuSeconds = value },
                "nofile" => limits with { OpenFiles = value },
                "nproc" => limits with { Processes = value },
                _ => throw new FormatException($"unknown limit \"{part}\""),
            };
        }
        return limits;
    }
}
