using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Explanations;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Scoring;

/// <summary>
/// One lead's answer. <see cref="Probability"/> is the calibrated probability when the model answered and null when
/// the rules did (rule points are not a probability); <see cref="Score"/> is 0–100 either way.
/// </summary>
public sealed record ScoredLead(
    double? Probability, int Score, string Band, string Source, string? ModelVersion,
    IReadOnlyList<Reason> Reasons, IReadOnlyList<string> Warnings);

/// <summary>A lead checked and scored, or the per-field problems that stop it from being scored.</summary>
public sealed record LeadAssessment(ScoredLead? Result, IReadOnlyList<FieldProblem> Problems)
{
    public bool IsValid => Result is not null;
}

/// <summary>
/// Scores one lead the way the service promises: validate against the served schema, let the model answer unless
/// the <see cref="ScoringPolicy"/> says the rules must, and apply rule disqualifiers on top of the model.
/// Thread-safe: it holds only immutable state.
/// </summary>
public sealed class LeadScorer(RuleSet rules, ScoringPolicy policy)
{
    public const string ModelSource = "model";
    public const string RulesSource = "rules";
    public const int ReasonsPerSide = 3;

    public RuleSet Rules { get; } = rules;
    public ScoringPolicy Policy { get; } = policy;

    public LeadAssessment Assess(ModelBundle? bundle, BandCutoffs? cutoffs, IReadOnlyDictionary<string, string?> fields, ScoringEngine engine = ScoringEngine.Auto)
    {
        PreparedLead? lead = null;
        if (bundle is not null)
        {
            // Encoded into the thread's buffer: the lead is scored and let go of before this returns (a new array per
            // lead was a quarter of what scoring allocated).
            var width = bundle.Plan.Width;
            var scratch = t_features is { } f && f.Length == width ? f : t_features = new float[width];
            lead = PreparedLead.From(bundle, fields, scratch);
            if (!lead.IsValid) return new LeadAssessment(null, lead.Problems);
        }
        var warnings = new List<string>(lead is null ? 1 : lead.MissingFields.Count + lead.UnknownFields.Count + 1);
        lead?.AddWarnings(warnings);
        var why = Policy.RulesReason(bundle, lead, engine);
        if (why is null)
        {
            try
            {
                // On the model's path only the disqualifiers matter; the full evaluation is for the reasons of a disqualified lead.
                var ruledOut = Rules.DisqualifiedBy(fields) is null ? null : Rules.Evaluate(fields);
                return new LeadAssessment(FromModel(bundle!, cutoffs ?? CutoffsOf(bundle!), lead!, ruledOut, warnings), []);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A model that cannot score one lead must not fail the request: the rules are the safety net.
                why = $"the model failed to score this lead ({e.GetType().Name}: {e.Message})";
            }
        }
        warnings.Add($"answered by the rules: {why}");
        var ruled = Rules.Evaluate(fields);
        var score = (int)Math.Round(ruled.Score, MidpointRounding.AwayFromZero);
        return new LeadAssessment(new ScoredLead(null, score, ruled.Band, RulesSource, null, ruled.Reasons, warnings), []);
    }

    [ThreadStatic] private static float[]? t_features;

    private static bool AllFinite(IReadOnlyList<Reason> reasons)
    {
        for (var i = 0; i < reasons.Count; i++)
            if (!double.IsFinite(reasons[i].Effect)) return false;
        return true;
    }

    /// <summary>The cutoffs a bundle recommends, used until marketing sets others.</summary>
    public static BandCutoffs CutoffsOf(ModelBundle bundle) =>
        new(bundle.Manifest.RecommendedCutoffs.Mql, bundle.Manifest.RecommendedCutoffs.Sql);

    private static ScoredLead FromModel(ModelBundle bundle, BandCutoffs cutoffs, PreparedLead lead, RuleResult? ruled, List<string> warnings)
    {
        var s = bundle.Score(lead.Features, lead.Values, ReasonsPerSide);
        // Thrown inside Assess's safety net, so the rules answer rather than a NaN reaching the caller.
        if (!double.IsFinite(s.Probability) || !AllFinite(s.Up) || !AllFinite(s.Down))
            throw new InvalidOperationException($"the model gave a non-finite result (raw score {s.Raw})");
        var band = cutoffs.Assign(s.Probability, ruled is not null);
        var reasons = new List<Reason>(ReasonsPerSide * 2 + 1);
        if (ruled is not null)
        {
            // RuleResult.Reasons lists disqualifiers first; they say why the band overrides the probability.
            reasons.AddRange(ruled.Reasons.Take(ruled.Matched.Count(m => m.Disqualifies)));
            warnings.Add($"disqualified by rule '{ruled.DisqualifiedBy}' whatever the model's probability");
        }
        reasons.AddRange(s.Up);
        reasons.AddRange(s.Down);
        return new ScoredLead(s.Probability, s.Score, band, ModelSource, bundle.Version, reasons, warnings);
    }
}
