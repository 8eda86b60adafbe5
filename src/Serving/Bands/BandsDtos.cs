using System.Text.Json.Serialization;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.State;

namespace LeadPropensity.Serving.Bands;

/// <summary>Cutoffs as they were given: probabilities (mql, sql) or percentiles of the held-out scores (mqlPercentile, sqlPercentile).</summary>
public sealed record GivenCutoffs(
    CutoffKind Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Mql,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Sql,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? MqlPercentile,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SqlPercentile)
{
    public static GivenCutoffs Of(CutoffSpec s) => new(s.Kind, s.Mql, s.Sql, s.MqlPercentile, s.SqlPercentile);
}

/// <summary>Probability cutoffs: a lead at or above <c>sql</c> is SQL, at or above <c>mql</c> is MQL.</summary>
public sealed record CutoffProbabilities(double Mql, double Sql)
{
    public static CutoffProbabilities Of(BandCutoffs c) => new(c.Mql, c.Sql);
}

/// <summary>
/// GET /bands: the cutoffs in force for the served model, how they were given, who set them, when and why.
/// Source is <c>stored</c>, <c>recommended</c> (nobody set any: the model's own) or <c>none</c> (no model and nothing set).
/// </summary>
public sealed record BandsView(
    string Source, string? ModelVersion, CutoffProbabilities? Cutoffs, GivenCutoffs? Given, string? SetBy, DateTime? SetAt, string Reason,
    long Version, BandNamesView Names, string? Note);

/// <summary>What each band is called, best first.</summary>
public sealed record BandNamesView(string Sql, string Mql, string Nurture, string Disqualified)
{
    public static BandNamesView Of(BandNames n) => new(n.Sql, n.Mql, n.Nurture, n.Disqualified);
}

/// <summary>One change in GET /bands/history: old is null for the first setting.</summary>
public sealed record BandChange(long Version, string SetBy, DateTime SetAt, GivenCutoffs? Old, GivenCutoffs New, string Reason)
{
    public static BandChange Of(BandAuditEntry e) =>
        new(e.Version, e.SetBy, e.SetAt, e.OldSpec is null ? null : GivenCutoffs.Of(e.OldSpec), GivenCutoffs.Of(e.NewSpec), e.Reason);
}

/// <summary>One band on the held-out leads; rates are null for an empty band.</summary>
public sealed record SimulatedBandView(
    string Name, double MinProbability, int Leads, double Share, double LeadsPer1000, int Conversions, double? ConversionRate,
    double WilsonLow, double WilsonHigh)
{
    public static SimulatedBandView Of(SimulatedBand b) =>
        new(b.Name, b.MinProbability, b.Leads, b.Share, b.LeadsPer1000, b.Conversions, Num(b.ConversionRate), b.WilsonLow, b.WilsonHigh);

    internal static double? Num(double d) => double.IsFinite(d) ? d : null;
}

/// <summary>Leads at or above a cutoff: volume, and precision (share that converted) and recall (share of all conversions caught).</summary>
public sealed record CutoffQualityView(
    double Cutoff, int Leads, double Share, double LeadsPer1000, int TruePositives, int FalsePositives, int FalseNegatives,
    double? Precision, double? Recall)
{
    public static CutoffQualityView Of(CutoffQuality q) =>
        new(q.Cutoff, q.Leads, q.Share, q.LeadsPer1000, q.TruePositives, q.FalsePositives, q.FalseNegatives,
            SimulatedBandView.Num(q.Precision), SimulatedBandView.Num(q.Recall));
}

/// <summary>The lowest SQL cutoff reaching a precision target, or Reachable false and the best precision any cutoff gets.</summary>
public sealed record PrecisionTargetView(double Target, bool Reachable, double? BestPrecision, CutoffQualityView? Sql);

/// <summary>The SQL cutoff that sends the top <c>percent</c>% of leads to sales.</summary>
public sealed record TopPercentView(double Percent, CutoffQualityView Sql);

/// <summary>POST /bands/simulate: what candidate cutoffs would have done on the served model's held-out leads.</summary>
public sealed record SimulationView(
    string ModelVersion, GivenCutoffs Given, CutoffProbabilities Cutoffs, int HeldOutLeads, int Conversions, double BaseRate,
    IReadOnlyList<SimulatedBandView> Bands, CutoffQualityView Sql, CutoffQualityView MqlOrBetter,
    PrecisionTargetView? TargetPrecision, TopPercentView? TopPercent, string Note);
