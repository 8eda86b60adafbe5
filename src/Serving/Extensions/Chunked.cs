using System.Collections.Concurrent;

namespace LeadPropensity.Serving.Extensions;

/// <summary>
/// Independent per-item work over a batch (reading, scoring, serializing leads): in one go for a small batch, otherwise in
/// chunks of <see cref="Size"/> items on all cores.
/// </summary>
public static class Chunked
{
    /// <summary>Items per work item: large enough that scheduling costs little against the work, small enough to balance.</summary>
    public const int Size = 64;

    /// <summary>Calls <paramref name="range"/> with [from, to) ranges that cover [0, <paramref name="count"/>) once.</summary>
    public static void For(int count, Action<int, int> range)
    {
        if (count < 2 * Size) { if (count > 0) range(0, count); return; }
        Parallel.ForEach(Partitioner.Create(0, count, Size), r => range(r.Item1, r.Item2));
    }
}
