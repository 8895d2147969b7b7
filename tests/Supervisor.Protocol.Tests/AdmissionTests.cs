using Supervisor.Protocol.Admission;

namespace Supervisor.Protocol.Tests;

public class TokenBucketTests
{
    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void TryTake_FullBucket_BurstThenRefused()
    {
        var bucket = new TokenBucket(ratePerSecond: 5, burst: 5, At(0));

        for (int i = 0; i < 5; i++)
            Assert.True(bucket.TryTake(At(0)), $"token {i}");
        Assert.False(bucket.TryTake(At(0)));
    }

    [Fact]
    public void TryTake_AfterEmpty_RefillsAtTheRate()
    {
        var bucket = new TokenBucket(ratePerSecond: 10, burst: 10, At(0));
        for (int i = 0; i < 10; i++)
            bucket.TryTake(At(0));

        Assert.False(bucket.TryTake(At(0.05)));   // half a token
        Assert.True(bucket.TryTake(At(0.1)));     // one token
        Assert.False(bucket.TryTake(At(0.1)));
        Assert.True(bucket.TryTake(At(0.35)));    // 2.5 more: two
        Assert.True(bucket.TryTake(At(0.35)));
        Assert.False(bucket.TryTake(At(0.35)));
    }

    [Fact]
    public void TryTake_LongIdle_NeverMoreThanBurst()
    {
        var bucket = new TokenBucket(ratePerSecond: 2, burst: 3, At(0));

        int taken = 0;
        while (bucket.TryTake(At(3600)))
            taken++;

        Assert.Equal(3, taken);
    }

    [Fact]
    public void TryTake_ClockGoingBackwards_NoFreeTokens()
    {
        var bucket = new TokenBucket(ratePerSecond: 1, burst: 1, At(10));
        Assert.True(bucket.TryTake(At(10)));

        Assert.False(bucket.TryTake(At(5)));
        Assert.False(bucket.TryTake(At(10.5)));
        Assert.True(bucket.TryTake(At(11)));
    }

    [Fact]
    public void TryTake_SustainedOverOneMinute_RateHolds()
    {
        var bucket = new TokenBucket(ratePerSecond: 20, burst: 20, At(0));

        int taken = 0;
        for (int ms = 0; ms <= 60_000; ms++)   // an attempt every millisecond for a minute
        {
            if (bucket.TryTake(TimeSpan.FromMilliseconds(ms)))
                taken++;
        }

        Assert.InRange(taken, 20 * 60, 20 * 60 + 20 + 1); // the rate, plus the first burst
    }
}

public class KeyedCounterTests
{
    [Fact]
    public void TryAcquire_UpToTheLimitPerKey_KeysIndependent()
    {
        var counter = new KeyedCounter(limit: 2);

        Assert.True(counter.TryAcquire("a"));
        Assert.True(counter.TryAcquire("a"));
        Assert.False(counter.TryAcquire("a"));
        Assert.True(counter.TryAcquire("b"));
        Assert.Equal(2, counter.CountOf("a"));
        Assert.Equal(1, counter.CountOf("b"));
    }

    [Fact]
    public void Release_FreesASlot_AndForgetsKeysAtZero()
    {
        var counter = new KeyedCounter(limit: 1);
        counter.TryAcquire("a");
        counter.TryAcquire("b");

        counter.Release("a");

        Assert.True(counter.TryAcquire("a"));
        counter.Release("a");
        counter.Release("b");
        Assert.Equal(0, counter.KeyCount);
    }

    [Fact]
    public void TryAcquire_ZeroLimit_CountsWithoutRefusing()
    {
        var counter = new KeyedCounter(limit: 0);

        for (int i = 0; i < 1000; i++)
            Assert.True(counter.TryAcquire("a"));
        Assert.Equal(1000, counter.CountOf("a"));
    }

    [Fact]
    public void Release_WithoutAcquire_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new KeyedCounter(1).Release("a"));
    }

    [Fact]
    public async Task TryAcquire_RacingForTheLastSlots_NeverOverTheLimit()
    {
        var counter = new KeyedCounter(limit: 10);
        int won = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                if (counter.TryAcquire("k"))
                    Interlocked.Increment(ref won);
            }
        })));

        Assert.Equal(10, won);
        Assert.Equal(10, counter.CountOf("k"));
    }
}
