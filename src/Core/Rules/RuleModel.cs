using LeadPropensity.Core.Explanations;

namespace LeadPropensity.Core.Rules;

/// <summary>One scoring rule: when the condition holds, add <see cref="Points"/> or, for a disqualifier, rule the lead out.</summary>
public sealed record Rule(string Name, Condition When, double Points, bool Disqualifies, string Text)
{
    /// <summary>The field a reason for this rule is filed under: the first field the condition tests.</summary>
    public string Field => When.FieldTests.First().Field;
}

/// <summary>Point totals at which a lead becomes MQL and SQL (SQL above MQL).</summary>
public sealed record RuleThresholds(double Sql, double Mql);

/// <summary>A rule that matched a lead, with the value of the field it is filed under.</summary>
public sealed record RuleMatch(string Rule, double Points, bool Disqualifies, string Field, string? Value, string Text);

/// <summary>
/// What the rules make of a lead. <see cref="Points"/> sums every matched points rule, also for a disqualified
/// lead; <see cref="Score"/> is the 0–100 ranking score (see <see cref="RuleSet.ScoreOf"/>), 0 when disqualified.
/// <see cref="Reasons"/> hold disqualifiers first (effect 0), then point rules by size of effect.
/// </summary>
public sealed record RuleResult(
    double Points, string Band, string? DisqualifiedBy,
    IReadOnlyList<RuleMatch> Matched, IReadOnlyList<Reason> Reasons, double Score)
{
    public bool Disqualified => DisqualifiedBy is not null;
}

/// <summary>A rules file that cannot be used; the message names the file, the rule and the problem.</summary>
public sealed class RulesException(string message) : Exception(message);
