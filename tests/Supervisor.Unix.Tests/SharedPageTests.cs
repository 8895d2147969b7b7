using System.Diagnostics;

namespace Supervisor.Unix.Tests;

/// <summary>The memory the acceptor and a worker share for their send gate: two mappings of
/// one memfd see each other's writes, a futex sleeper on it wakes when told (and only then),
/// and a page in use is unmapped only once the last user lets go.</summary>
public sealed class SharedPageTests
{
    [Fact]
    public void Map_TheMemfdAgain_SeesTheSameWords()
    {
        var (page, fd) = SharedPage.Create("ws-supervisor-test");
        using (page)
        {
            using var second = SharedPage.Map(fd);
            FdPair.Close(fd); // the mappings live on without it

            Interlocked.Exchange(ref page.Int32At(0), 42);
            Volatile.Write(ref second.Int64At(8), long.MaxValue);

            Assert.Equal(42, Volatile.Read(ref second.Int32At(0)));
            Assert.Equal(long.MaxValue, Volatile.Read(ref page.Int64At(8)));
            Assert.Equal(0, page.Int32At(SharedPage.Size - 4)); // created zeroed
        }
    }

    [Theory]
    [InlineData(2)]               // not aligned
    [InlineData(-4)]
    [InlineData(SharedPage.Size)] // past the page
    public void Int32At_OffsetOutsideThePageOrUnaligned_Throws(int offset)
    {
        var (page, fd) = SharedPage.Create("ws-supervisor-test");
        FdPair.Close(fd);
        using (page)
            Assert.Throws<ArgumentOutOfRangeException>(() => page.Int32At(offset));
    }

    [Fact]
    public async Task Futex_SleeperOnAnotherMapping_WokenAfterTheWordChanges()
    {
        var (page, fd) = SharedPage.Create("ws-supervisor-test");
        using var other = SharedPage.Map(fd);
        FdPair.Close(fd);
        using (page)
        {
            Volatile.Write(ref page.Int32At(0), 1);
            var slept = Stopwatch.StartNew();
            var sleeper = Task.Factory.StartNew(() =>
            {
                while (Volatile.Read(ref other.Int32At(0)) == 1)
                    Futex.Wait(ref other.Int32At(0), 1, timeoutMs: 10_000);
                return slept.Elapsed;
            }, TaskCreationOptions.LongRunning);

            await Task.Delay(200);
            Assert.False(sleeper.IsCompleted, "the sleeper returned while the word still held what it expected");
            Volatile.Write(ref page.Int32At(0), 0);
            Futex.Wake(ref page.Int32At(0));

            var woken = await sleeper.WaitAsync(TimeSpan.FromSeconds(5)); // throws if it was not woken
            Assert.True(woken < TimeSpan.FromSeconds(5), $"woken after {woken}: by its timeout, not the wake");
        }
    }

    [Fact]
    public void Futex_WordAlreadyDifferent_ReturnsAtOnce()
    {
        var (page, fd) = SharedPage.Create("ws-supervisor-test");
        FdPair.Close(fd);
        using (page)
        {
            var clock = Stopwatch.StartNew();
            Futex.Wait(ref page.Int32At(0), expected: 7, timeoutMs: 10_000); // the word is 0

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void Dispose_WhileReferenced_UnmapsOnlyAtTheLastRelease()
    {
        var (page, fd) = SharedPage.Create("ws-supervisor-test");
        FdPair.Close(fd);
        bool added = false;
        page.DangerousAddRef(ref added);

        page.Dispose();
        Volatile.Write(ref page.Int32At(0), 5); // still mapped: this would fault otherwise
        Assert.Equal(5, Volatile.Read(ref page.Int32At(0)));
        page.DangerousRelease();

        Assert.True(page.IsClosed);
        Assert.Throws<ObjectDisposedException>(() =>
        {
            bool again = false;
            page.DangerousAddRef(ref again);
        });
    }
}
