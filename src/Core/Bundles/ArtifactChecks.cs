using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Bundles;

/// <summary>
/// What scoring.json must hold beyond what its check vectors prove: the check vectors score the model, but a damaged
/// level list, vocabulary, calibrator or timestamp index would only fail on the first lead that reaches it. Every
/// encoder and the calibrator are exercised here once, at load, so a bundle either is refused with a reason or scores
/// any lead to a probability. A null member is refused before this, by <see cref="ScoringArtifact.ReadJson"/>; null
/// entries of lists are not, so they are looked for here.
/// </summary>
internal static class ArtifactChecks
{
    /// <summary>Values each encoder is run on: missing, empty, a number, a word, a date, a boolean word, two words.</summary>
    private static readonly string?[] Probes = [null, "", "1", "x", "2025-01-01T00:00:00Z", "yes", "vp sales"];

    public static void Check(ScoringArtifact a)
    {
        CheckPlan(a.Plan);
        CheckCalibrator(a.Calibrator);
        CheckModel(a.Model, a.Plan.Width);

        // Each probe value through the whole plan, scored with contributions: any damage the lists above miss shows here.
        var x = new float[a.Plan.Width];
        var slots = new double[a.Plan.Width];
        foreach (var probe in Probes)
        {
            var values = Enumerable.Repeat(probe, a.Plan.Encoders.Count).ToArray();
            Array.Clear(x);
            Array.Clear(slots);
            a.Plan.Encode(values, x);
            foreach (var v in x)
                if (!float.IsFinite(v)) throw new InvalidDataException($"the plan encodes '{probe}' to a non-finite feature");
            var raw = a.Model.RawAndContributions(x, slots);
            var p = a.Calibrator.Probability(raw);
            if (!double.IsFinite(raw) || !(p is >= 0 and <= 1))
                throw new InvalidDataException($"the model scores '{probe}' in every field to {raw}, calibrated {p}: not a probability");
        }
        if (!double.IsFinite(a.Model.Baseline)) throw new InvalidDataException("the model's baseline score is not finite");
    }

    /// <summary>Sizes a walk relies on (trees are read without bounds checks), for a blend's parts too.</summary>
    private static void CheckModel(ScoringModel model, int width)
    {
        switch (model)
        {
            case LinearModel l when l.Weights.Length != width || l.Means.Length != width || l.Scales.Length != width:
                throw new InvalidDataException($"the linear model has {l.Weights.Length} weights, {l.Means.Length} means and {l.Scales.Length} scales for {width} slots");
            case TreeEnsembleModel t when t.Trees.Any(tree => tree.Feature.Any(f => f >= width)):
                throw new InvalidDataException($"a tree splits on a slot beyond the plan's {width}");
            case BlendModel b when b.Parts.Count != b.Weights.Length || b.Parts.Count == 0 || b.Parts.Any(p => p is null):
                throw new InvalidDataException("the blend's parts and weights do not pair up");
            case BlendModel b:
                foreach (var part in b.Parts) CheckModel(part, width);
                break;
        }
    }

    private static void CheckPlan(FeaturePlan plan)
    {
        if (plan.Encoders.Count == 0) throw new InvalidDataException("the featurization plan has no fields");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in plan.Encoders)
        {
            if (e is null || string.IsNullOrEmpty(e.Field)) throw new InvalidDataException("the featurization plan has a field without a name");
            if (!seen.Add(e.Field)) throw new InvalidDataException($"the featurization plan has '{e.Field}' twice");
            var problem = e switch
            {
                NumericEncoder n when !double.IsFinite(n.Median) || n.Edges.Any(d => !double.IsFinite(d)) || !IsAscending(n.Edges) =>
                    "its median or decile edges are not finite and ascending",
                CategoricalEncoder c when c.Levels.Any(string.IsNullOrEmpty) || c.Levels.Distinct(StringComparer.OrdinalIgnoreCase).Count() != c.Levels.Count =>
                    "its levels are not distinct, non-empty names",
                TextEncoder t when t.Vocabulary.Any(string.IsNullOrEmpty) || t.Vocabulary.Distinct(StringComparer.Ordinal).Count() != t.Vocabulary.Count =>
                    "its vocabulary is not distinct, non-empty tokens",
                BooleanEncoder b when (b.TrueValues?.Any(v => v is null) ?? false) || (b.FalseValues?.Any(v => v is null) ?? false) =>
                    "its boolean words include a null",
                _ => null,
            };
            if (problem is not null) throw new InvalidDataException($"field '{e.Field}' in the featurization plan: {problem}");
        }
        if (plan.TimestampField < -1 || plan.TimestampField >= plan.Encoders.Count || (plan.TimestampField >= 0 && plan.Encoders[plan.TimestampField] is not DatetimeEncoder))
            throw new InvalidDataException($"the plan's timestamp field {plan.TimestampField} is not one of its date fields");
    }

    private static void CheckCalibrator(Calibrator c)
    {
        switch (c)
        {
            case PlattCalibrator p when !double.IsFinite(p.A) || !double.IsFinite(p.B):
                throw new InvalidDataException("the Platt calibrator's coefficients are not finite");
            case IsotonicCalibrator i when i.X.Length == 0 || i.X.Length != i.Y.Length
                                           || i.X.Any(v => !double.IsFinite(v)) || !IsAscending(i.X) || i.Y.Any(v => !(v is >= 0 and <= 1)):
                throw new InvalidDataException("the isotonic calibrator is not an ascending step function onto probabilities");
        }
    }

    private static bool IsAscending(double[] values)
    {
        for (var i = 1; i < values.Length; i++)
            if (!(values[i] >= values[i - 1])) return false;
        return true;
    }
}
