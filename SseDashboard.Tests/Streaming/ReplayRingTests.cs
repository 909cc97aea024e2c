using SseDashboard.Streaming;

namespace SseDashboard.Tests.Streaming;

public sealed class ReplayRingTests
{
    [Fact]
    public void Add_BelowCapacity_KeepsEveryItemOldestFirst_EvictsNothing()
    {
        var ring = new ReplayRing<int>(3);

        Assert.False(ring.Add(1, out _));
        Assert.False(ring.Add(2, out _));

        Assert.Equal([1, 2], ring.ToArray());
        Assert.Equal(2, ring.Count);
    }

    [Fact]
    public void Add_WhenFull_EvictsTheOldest_AndKeepsTheNewestInOrder()
    {
        var ring = new ReplayRing<int>(3);
        foreach (var i in new[] { 1, 2, 3 })
        {
            ring.Add(i, out _);
        }

        Assert.True(ring.Add(4, out var first));
        Assert.True(ring.Add(5, out var second));

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal([3, 4, 5], ring.ToArray());
        Assert.Equal(3, ring.Count);
    }

    [Fact]
    public void Add_ManyTimesAroundTheRing_AlwaysHoldsTheLastCapacityItems()
    {
        var ring = new ReplayRing<int>(4);
        for (var i = 0; i < 1003; i++)
        {
            ring.Add(i, out _);
        }

        Assert.Equal([999, 1000, 1001, 1002], ring.ToArray());
    }

    [Fact]
    public void ZeroCapacity_RetainsNothing_AndEvictsNothing()
    {
        var ring = new ReplayRing<string>(0);

        Assert.False(ring.Add("a", out var evicted));

        Assert.Null(evicted);
        Assert.Empty(ring.ToArray());
    }

    [Fact]
    public void ToArray_IsACopy_UnchangedByLaterAdds()
    {
        var ring = new ReplayRing<int>(2);
        ring.Add(1, out _);
        var before = ring.ToArray();

        ring.Add(2, out _);
        ring.Add(3, out _);

        Assert.Equal([1], before);
    }

    [Fact]
    public void NegativeCapacity_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayRing<int>(-1));
    }
}
