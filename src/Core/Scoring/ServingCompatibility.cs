using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Scoring;

/// <summary>Whether a loaded bundle can be served beside a rule set: the reasons to refuse it, empty when it can.</summary>
public static class ServingCompatibility
{
    public static IReadOnlyList<string> Problems(ModelBundle bundle, RuleSet rules)
    {
        var problems = new List<string>();
        if (bundle.Manifest.Format != ModelManifest.FormatVersion)
            problems.Add($"manifest format {bundle.Manifest.Format} is not the supported format {ModelManifest.FormatVersion}");
        if (bundle.Fields.Count == 0) problems.Add("the model scores no fields");
        if (BandCutoffs.Problem(bundle.Manifest.RecommendedCutoffs.Mql, bundle.Manifest.RecommendedCutoffs.Sql) is { } cut)
            problems.Add($"its recommended cutoffs cannot be used: {cut}");
        // Rule disqualifiers apply on top of the model, so every rule must make sense against the model's schema.
        problems.AddRange(rules.Validate(bundle.Schema).Select(p => $"the rules do not fit its schema: {p}"));
        return problems;
    }
}
