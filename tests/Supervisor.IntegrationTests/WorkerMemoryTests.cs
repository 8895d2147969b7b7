using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// The build choices that keep a worker under 1 MB (README, "Memory and latency"): the
/// installed binary is a non-PIE image whose data section is not stored compressed, so
/// workers share it as clean file pages instead of each inflating a private copy.
/// </summary>
public sealed partial class WorkerMemoryTests
{
    private const int ElfTypeOffset = 16;
    private const ushort ExecutableType = 2; // ET_EXEC; a PIE is ET_DYN (3)

    [Fact]
    public void InstalledBinary_IsNotPositionIndependent()
    {
        using var file = File.OpenRead(Paths.Binary);
        var header = new byte[ElfTypeOffset + 2];
        file.ReadExactly(header);
        Assert.Equal("\x7F" + "ELF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal(ExecutableType, BitConverter.ToUInt16(header, ElfTypeOffset));
    }

    [Fact]
    public async Task IdleSpareWorker_HasNoPrivateCopyOfTheDataSection()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--spare-workers=1", Paths.Script("echo.sh"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (server.AllWorkers().Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no spare worker started");
            await Task.Delay(50, cts.Token);
        }
        await Task.Delay(300, cts.Token); // past its start-up
        int worker = server.AllWorkers()[0].Pid;

        // A dehydrated build inflates ~1 MB into an anonymous mapping; here the largest
        // private anonymous region of an idle worker is the GC's first region (~132 kB).
        long largestAnonymousKb = AnonymousRegionsKb(worker).Max();
        Assert.True(largestAnonymousKb < 512, $"worker {worker} has a {largestAnonymousKb} kB anonymous region");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]+-[0-9a-f]+$")]
    private static partial System.Text.RegularExpressions.Regex MappingHeader();

    /// <summary>Resident private kB of each anonymous mapping, from /proc/PID/smaps.</summary>
    private static IEnumerable<long> AnonymousRegionsKb(int pid)
    {
        bool anonymous = false;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (MappingHeader().IsMatch(fields[0]))
                anonymous = fields.Length == 5; // address perms offset dev inode, and no path
            else if (anonymous && fields[0] == "Private_Dirty:")
                yield return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
