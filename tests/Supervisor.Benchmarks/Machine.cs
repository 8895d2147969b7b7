using System.Globalization;

namespace Supervisor.Benchmarks;

/// <summary>The machine the figures come from, as the README table must say.</summary>
public static class Machine
{
    public static IEnumerable<string> Describe()
    {
        yield return $"cores (nproc): {Environment.ProcessorCount}";
        yield return $"CPU: {FirstValue("/proc/cpuinfo", "model name") ?? "unknown"}";
        yield return $"kernel: Linux {Read("/proc/sys/kernel/osrelease") ?? "?"}";
        string? total = FirstValue("/proc/meminfo", "MemTotal");
        if (total is not null && long.TryParse(total.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
            total = $"{kb / 1048576.0:0.0} GiB";
        yield return $"RAM: {total ?? "unknown"}";
        yield return $"load average at start: {LoadAverage()}";
        yield return $".NET (client): {Environment.Version}";
    }

    /// <summary>The 1-minute load average: above ~1.5 on this 2-core machine, figures are noise.</summary>
    public static double LoadAverage1() =>
        double.TryParse((Read("/proc/loadavg") ?? "").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : 0;

    /// <summary>Busy time of all CPUs since boot, in clock ticks, from /proc/stat: everything
    /// but idle and iowait, so interrupts, softirqs (loopback TCP's receive side runs there)
    /// and steal count too; no process's own times include those.</summary>
    public static long BusyTicks()
    {
        string line = (Read("/proc/stat") ?? "").Split('\n')[0];
        long[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        if (fields.Length < 5)
            throw new InvalidDataException($"/proc/stat's cpu line is not as expected: {line}");
        // user nice system idle iowait irq softirq steal (guest and guest_nice are within user and nice)
        return fields.Take(8).Sum() - fields[3] - fields[4];
    }

    private static string LoadAverage() => string.Join(' ', (Read("/proc/loadavg") ?? "? ? ?").Split(' ').Take(3));

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? FirstValue(string path, string key)
    {
        string? text = Read(path);
        if (text is null)
            return null;
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == key)
                return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
