using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Modeling;

/// <summary>Flags fields that alone predict the label too well, or are filled almost only for one class: likely post-outcome data.</summary>
public static class LeakGuard
{
    public static List<LeakFlag> Check(FeaturePlan plan, float[][] x, IReadOnlyList<bool> y, LeadDataset train, double aucThreshold)
    {
        var flags = new List<LeakFlag>();
        var offsets = plan.Offsets();
        var labels = y.ToArray();
        var pos = labels.Count(l => l); var neg = labels.Length - pos;
        for (var f = 0; f < plan.Encoders.Count; f++)
        {
            var auc = OwnAuc(plan.Encoders[f], x, offsets[f], offsets[f + 1], labels, (double)pos / labels.Length);
            if (double.IsNaN(auc)) continue;
            var field = plan.Encoders[f].Field;
            var col = Array.IndexOf(train.Fields, field);
            int filledPos = 0, filledNeg = 0;
            for (var i = 0; i < labels.Length; i++)
                if (train.Values[i][col] is not null) { if (labels[i]) filledPos++; else filledNeg++; }
            double fp = pos == 0 ? 0 : (double)filledPos / pos, fn = neg == 0 ? 0 : (double)filledNeg / neg;
            if (auc >= aucThreshold)
                flags.Add(new LeakFlag(field, auc, $"on its own it ranks won above lost with AUC {auc:F3} (≥ {aucThreshold:F2})"));
            else if (Math.Max(fp, fn) >= 0.5 && Math.Min(fp, fn) <= 0.05)
                flags.Add(new LeakFlag(field, auc, $"filled for {fp:P0} of positives but {fn:P0} of negatives"));
        }
        return flags;
    }

    /// <summary>
    /// A field that carries far more of the model than any other (permuting it costs over three times what the next
    /// field costs) is often known only after the outcome, like a call's duration: flag it for a person to check.
    /// </summary>
    public static LeakFlag? Dominant(IReadOnlyList<FieldImportance> importance)
    {
        if (importance.Count < 2) return null;
        var (first, second) = (importance[0], importance[1]);
        if (first.LogLossIncrease < 0.05 || first.LogLossIncrease < 3 * Math.Max(second.LogLossIncrease, 1e-9)) return null;
        return new LeakFlag(first.Field, double.NaN,
            $"it dominates the model: permuting it costs {first.LogLossIncrease:F3} log loss, {first.LogLossIncrease / Math.Max(second.LogLossIncrease, 1e-9):F1}× the next field ({second.Field}); check it is known before the outcome");
    }

    /// <summary>
    /// How well the field alone ranks the label: a number by its value (either direction), anything else by the
    /// smoothed training label rate of its encoded value, so a few rare values cannot fake a perfect score.
    /// </summary>
    private static double OwnAuc(FieldEncoder e, float[][] x, int from, int to, bool[] labels, double prior)
    {
        if (e is NumericEncoder or DatetimeEncoder)
        {
            var a = Metrics.RocAuc(x.Select(r => (double)r[from]).ToArray(), labels);
            return Math.Max(a, 1 - a);
        }
        var keys = x.Select(r => string.Join(",", r.AsSpan(from, to - from).ToArray())).ToArray();
        const double m = 20;
        var rate = keys.Select((k, i) => (k, l: labels[i])).GroupBy(t => t.k)
            .ToDictionary(g => g.Key, g => (g.Count(t => t.l) + prior * m) / (g.Count() + m));
        return Metrics.RocAuc(keys.Select(k => rate[k]).ToArray(), labels);
    }
}
