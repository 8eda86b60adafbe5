namespace LeadPropensity.Core.Evaluation;

public static partial class Metrics
{
    /// <summary>Share used in place of an empty bin so the logarithm stays finite.</summary>
    public const double PsiEmptyBinShare = 1e-4;

    /// <summary>
    /// Population stability index of actual against expected: sum over bins of (a - e) * ln(a / e), where e and a are the
    /// shares of each sample per bin. Bins are the quantiles of expected at k/B (the equal-mass edges of
    /// <see cref="Reliability"/>); a value goes to the bin numbered by the inner edges strictly below it, so actual values
    /// outside expected's range land in the first or last bin. Tied expected values can leave bins empty; an empty share
    /// counts as 1e-4 (<see cref="PsiEmptyBinShare"/>). Common reading: below 0.1 stable, 0.1-0.25 watch, above 0.25 shifted.
    /// Values need not be probabilities, only finite.
    /// </summary>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual, int bins = 10)
    {
        ValidateSample(expected, nameof(expected));
        ValidateSample(actual, nameof(actual));
        CheckBins(bins);
        var edges = QuantileEdges(expected, bins);
        return PsiOfShares(Shares(expected, edges, bins), Shares(actual, edges, bins));
    }

    /// <summary>
    /// Population stability index of pre-binned shares (each list sums to 1 within 1e-3, bins in the same order);
    /// an empty share counts as 1e-4 (<see cref="PsiEmptyBinShare"/>). Note: a two-argument call binds here, not to the
    /// sample overload, so raw samples must name bins; the sum check turns that mistake into an exception.
    /// </summary>
    public static double Psi(IReadOnlyList<double> expectedShares, IReadOnlyList<double> actualShares)
    {
        ValidateShares(expectedShares, nameof(expectedShares));
        ValidateShares(actualShares, nameof(actualShares));
        if (expectedShares.Count != actualShares.Count)
            throw new ArgumentException($"Expected and actual shares differ in length ({expectedShares.Count} vs {actualShares.Count}).", nameof(actualShares));
        return PsiOfShares(expectedShares, actualShares);
    }

    private static double PsiOfShares(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        double psi = 0;
        for (int b = 0; b < expected.Count; b++)
        {
            double e = expected[b] == 0 ? PsiEmptyBinShare : expected[b];
            double a = actual[b] == 0 ? PsiEmptyBinShare : actual[b];
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    private static double[] Shares(IReadOnlyList<double> values, double[] edges, int bins)
    {
        var shares = new double[bins];
        foreach (double v in values) shares[MassBin(edges, v)]++;
        for (int b = 0; b < bins; b++) shares[b] /= values.Count;
        return shares;
    }

    private static void ValidateSample(IReadOnlyList<double> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count == 0) throw new ArgumentException("At least one value is needed; the input is empty.", name);
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i])) throw new ArgumentException($"Value at index {i} is {values[i]}; values must be finite.", name);
    }

    private static void ValidateShares(IReadOnlyList<double> shares, string name)
    {
        ArgumentNullException.ThrowIfNull(shares, name);
        if (shares.Count == 0) throw new ArgumentException("At least one bin share is needed; the input is empty.", name);
        double sum = 0;
        for (int i = 0; i < shares.Count; i++)
        {
            if (!double.IsFinite(shares[i]) || shares[i] < 0)
                throw new ArgumentException($"Share at index {i} is {shares[i]}; shares must be finite and not negative.", name);
            sum += shares[i];
        }
        if (Math.Abs(sum - 1) > 1e-3) throw new ArgumentException(
                $"Shares sum to {sum}, not 1. Pass shares, not counts; to compare raw samples give the bins: Psi(expected, actual, bins: 10).", name);
    }
}
