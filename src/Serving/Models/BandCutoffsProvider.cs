using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Serving.Models;

/// <summary>Where a served model's band cutoffs come from; a later store of marketing's cutoffs replaces the default.</summary>
public interface IBandCutoffsProvider
{
    BandCutoffs For(ModelBundle bundle);
}

/// <summary>The cutoffs the bundle recommends (SQL = top 10% of held-out scores, MQL = the next 30%), cached per bundle.</summary>
public sealed class RecommendedCutoffsProvider : IBandCutoffsProvider
{
    private (ModelBundle Bundle, BandCutoffs Cutoffs)? _last;

    public BandCutoffs For(ModelBundle bundle)
    {
        var last = _last;
        if (last is { } l && ReferenceEquals(l.Bundle, bundle)) return l.Cutoffs;
        var cutoffs = LeadScorer.CutoffsOf(bundle);
        _last = (bundle, cutoffs);
        return cutoffs;
    }
}
