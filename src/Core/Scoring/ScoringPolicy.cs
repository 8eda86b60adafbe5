using LeadPropensity.Core.Bundles;

namespace LeadPropensity.Core.Scoring;

/// <summary>Which engine a caller asks for: the model when it can answer (auto), or the rules outright.</summary>
public enum ScoringEngine { Auto, Rules }

/// <summary>
/// When the rules answer instead of the model: no model is loaded, the caller asked for the rules, or too many of
/// the model's most important fields are missing for its answer to mean much.
/// </summary>
public sealed record ScoringPolicy
{
    /// <summary>Above this share of the top <see cref="ImportantFieldCount"/> fields missing, the rules answer.</summary>
    public double MaxMissingImportantShare { get; init; } = 0.5;
    public int ImportantFieldCount { get; init; } = 5;

    /// <summary>Why the rules must answer, or null when the model should.</summary>
    public string? RulesReason(ModelBundle? bundle, PreparedLead? lead, ScoringEngine engine)
    {
        if (engine == ScoringEngine.Rules) return "the caller asked for the rules (engine=rules)";
        if (bundle is null || lead is null) return "no model is loaded";
        var important = ImportantFields(bundle);
        if (important.Count == 0) return null;
        // Counted first: the list of missing names is only needed for the (rare) answer that sends a lead to the rules.
        var count = 0;
        foreach (var f in important)
            if (lead.MissingFields.Contains(f, StringComparer.Ordinal)) count++;
        if ((double)count / important.Count <= MaxMissingImportantShare) return null;
        var missing = important.Where(f => lead.MissingFields.Contains(f, StringComparer.Ordinal));
        return $"{count} of the model's {important.Count} most important fields are missing ({string.Join(", ", missing)})";
    }

    /// <summary>The model's most important fields in manifest order (most important first), limited to fields it scores.</summary>
    public IReadOnlyList<string> ImportantFields(ModelBundle bundle) => bundle.TopFields(ImportantFieldCount);
}
