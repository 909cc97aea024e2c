using System.Buffers.Text;
using System.Numerics;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Client;

/// <summary>
/// The fleet scenario's log lines one client received: each simulated agent's line carries
/// <c>fleetline RUN AGENT SEQ WRITTEN-UNIX-MICROSECONDS</c>, counted here per (agent, sequence number) to find the lost
/// and the duplicated, with the agent-write → receive lag of those written inside the window. RUN tells this run's
/// lines from those earlier runs left in the store, which a node replays to a client as it connects.
/// </summary>
internal sealed class FleetLines(RunState run, byte[] marker)
{
    private const long MaxSeq = 100_000_000;
    private const int MaxAgents = 10_000;

    private ulong[]?[] _seen = [];

    /// <summary>What one run's lines start with: <c>fleetline RUN </c>.</summary>
    public static string MarkerOf(string runTag) => $"fleetline {runTag} ";

    /// <summary>Marked lines received, duplicates included.</summary>
    public long Lines { get; private set; }

    /// <summary>Distinct (agent, sequence number) pairs received.</summary>
    public long Unique { get; private set; }

    /// <summary>Counts every marked line in one <c>data:</c> line (a log event's JSON or HTML: the markers read the same).</summary>
    public void Scan(ReadOnlySpan<byte> value, long receivedTicks)
    {
        int at;
        while ((at = value.IndexOf(marker)) >= 0)
        {
            value = value[(at + marker.Length)..];
            if (!Number(ref value, out var agent) || !Number(ref value, out var seq) || !Utf8Parser.TryParse(value, out long writtenMicros, out var consumed))
            {
                continue;
            }

            value = value[consumed..];
            Lines++;
            if (Mark(agent, seq))
            {
                Unique++;
                var writtenTicks = DateTime.UnixEpoch.Ticks + (writtenMicros * 10);
                if (run.InWindow(writtenTicks))
                {
                    run.LogLag.Record((receivedTicks - writtenTicks) / 10);
                }
            }
        }
    }

    /// <summary>How many of <paramref name="agent"/>'s lines <paramref name="from"/> ≤ seq &lt; <paramref name="to"/> arrived.</summary>
    public long ReceivedOf(int agent, long from, long to)
    {
        if (agent >= _seen.Length || _seen[agent] is not { } words || from >= to)
        {
            return 0;
        }

        long n = 0;
        var (first, last) = (from / 64, (to - 1) / 64);
        for (var w = first; w <= last && w < words.Length; w++)
        {
            var bits = words[w];
            bits &= w == first ? ~0UL << (int)(from % 64) : ~0UL;
            bits &= w == last ? ~0UL >> (63 - (int)((to - 1) % 64)) : ~0UL;
            n += BitOperations.PopCount(bits);
        }

        return n;
    }

    // A number followed by a space, the span moved past both.
    private static bool Number(ref ReadOnlySpan<byte> value, out long number)
    {
        if (!Utf8Parser.TryParse(value, out number, out var consumed) || consumed >= value.Length || value[consumed] != ' ')
        {
            return false;
        }

        value = value[(consumed + 1)..];
        return true;
    }

    // True the first time an (agent, sequence number) is seen.
    private bool Mark(long agent, long seq)
    {
        if (agent is < 0 or > MaxAgents || seq is < 0 or > MaxSeq)
        {
            return false;
        }

        if (agent >= _seen.Length)
        {
            Array.Resize(ref _seen, (int)agent + 1);
        }

        ref var words = ref _seen[agent];
        words ??= [];
        var word = (int)(seq / 64);
        if (word >= words.Length)
        {
            Array.Resize(ref words, Math.Max(word + 1, words.Length * 2));
        }

        var bit = 1UL << (int)(seq % 64);
        var fresh = (words[word] & bit) == 0;
        words[word] |= bit;
        return fresh;
    }
}
