namespace LeadPropensity.Core.Modeling;

/// <summary>How rows are split into training and test parts, and training rows into folds.</summary>
public static class DataSplit
{
    /// <summary>
    /// The most recent share of rows when times are known (the model is judged on the future),
    /// otherwise a stratified random share by seed.
    /// </summary>
    public static (int[] Train, int[] Test, string Method) TrainTest(IReadOnlyList<bool> labels, IReadOnlyList<DateTime?> times, double testShare, int seed)
    {
        var n = labels.Count;
        if (times.Count == n && n > 0 && times.All(t => t is not null))
        {
            var order = Enumerable.Range(0, n).OrderBy(i => times[i]!.Value).ThenBy(i => i).ToArray();
            var cut = n - (int)Math.Round(n * testShare);
            return (order[..cut].Order().ToArray(), order[cut..].Order().ToArray(), "time: most recent " + testShare.ToString("P0", System.Globalization.CultureInfo.InvariantCulture));
        }
        var rng = new Random(seed);
        var test = new List<int>(); var train = new List<int>();
        foreach (var cls in new[] { true, false })
        {
            var idx = Enumerable.Range(0, n).Where(i => labels[i] == cls).OrderBy(_ => rng.Next()).ToArray();
            var k = (int)Math.Round(idx.Length * testShare);
            test.AddRange(idx[..k]); train.AddRange(idx[k..]);
        }
        return (train.Order().ToArray(), test.Order().ToArray(), "stratified random " + testShare.ToString("P0", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Stratified fold number (0..folds-1) for each of the given rows.</summary>
    public static int[] Folds(IReadOnlyList<bool> labels, int folds, int seed)
    {
        var rng = new Random(seed + 1);
        var fold = new int[labels.Count];
        foreach (var cls in new[] { true, false })
        {
            var idx = Enumerable.Range(0, labels.Count).Where(i => labels[i] == cls).OrderBy(_ => rng.Next()).ToArray();
            for (var k = 0; k < idx.Length; k++) fold[idx[k]] = k % folds;
        }
        return fold;
    }
}
