using System.Text.Json;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Monitoring;

/// <summary>
/// What the served model brings to monitoring: its held-out probabilities and ECE, the band cutoffs in force, importance,
/// schema, and (when its bundle has report.json) each field's training distribution.
/// </summary>
public sealed record MonitoringBaseline(
    string Version, HeldOut HeldOut, double HeldOutEce, BandCutoffs Cutoffs, IReadOnlyList<Modeling.FieldImportance> Importance,
    LeadSchema Schema, IReadOnlyList<FieldProfile>? TrainingFields)
{
    public static MonitoringBaseline From(ModelBundle bundle, BandCutoffs cutoffs, Report? report) =>
        new(bundle.Version, bundle.Manifest.HeldOut, bundle.Manifest.Metrics.EceEqualWidth, cutoffs, bundle.Manifest.Importance,
            bundle.Schema, report?.Profile.Fields);
}

/// <summary>
/// Builds a <see cref="MonitoringReport"/> from predictions streamed in one at a time (only counts, the served model's
/// probabilities and its top fields' values are kept) and the scored outcomes. Every number comes from <see cref="Metrics"/>.
/// Only answers of the served version enter drift and calibration: other versions' probabilities are not comparable with
/// this bundle's held-out set, and rules answers carry no probability (they are logged with score/100).
/// </summary>
public sealed class MonitoringBuilder
{
    public const int TopFields = 5, Bins = 10;

    private readonly MonitoringBaseline? _baseline;
    private readonly MonitoringThresholds _thresholds;
    private readonly Dictionary<(string Source, string Band), long> _volume = [];
    private readonly Dictionary<string, long> _liveBands = new(StringComparer.Ordinal);
    private readonly List<double> _live = [];
    private readonly (string Field, double Importance, List<string?> Values)[] _fields;
    private long _otherVersions;

    public MonitoringBuilder(MonitoringBaseline? baseline, MonitoringThresholds? thresholds = null)
    {
        _baseline = baseline;
        _thresholds = thresholds ?? new MonitoringThresholds();
        _fields = baseline is null ? [] : baseline.Importance.OrderByDescending(i => i.AucDrop).Take(TopFields)
            .Select(i => (i.Field, i.AucDrop, new List<string?>())).ToArray();
    }

    public void Add(PredictionRecord p)
    {
        ArgumentNullException.ThrowIfNull(p);
        _volume[(p.Source, p.Band)] = _volume.GetValueOrDefault((p.Source, p.Band)) + 1;
        if (_baseline is null || p.Source != Scoring.LeadScorer.ModelSource) return;
        if (p.ModelVersion != _baseline.Version) { _otherVersions++; return; }
        _live.Add(p.Probability);
        _liveBands[p.Band] = _liveBands.GetValueOrDefault(p.Band) + 1;
        if (_fields.Length > 0) AddFields(p.FeaturesJson);
    }

    public MonitoringReport Build(DateTime? from, DateTime? to, IReadOnlyList<ScoredOutcome> outcomes, long unscoredOutcomes = 0)
    {
        var alerts = new List<MonitoringAlert>();
        var notes = new List<string>();
        if (_baseline is null) notes.Add("no model is served: the rules answer, so there is no held-out distribution to compare with");
        else if (_otherVersions > 0)
            notes.Add($"{_otherVersions} model answers in the window came from other versions than {_baseline.Version} and are left out of drift");
        return new MonitoringReport(from, to, _baseline?.Version, Volume(), BandMix(), Drift(alerts), Calibration(outcomes, unscoredOutcomes, alerts), alerts, notes);
    }

    private VolumeReport Volume()
    {
        var rows = _volume.OrderBy(v => v.Key.Source, StringComparer.Ordinal).ThenBy(v => v.Key.Band, StringComparer.Ordinal)
            .Select(v => new VolumeRow(v.Key.Source, v.Key.Band, v.Value)).ToList();
        return new VolumeReport(rows.Sum(r => r.Count),
            rows.GroupBy(r => r.Source).ToDictionary(g => g.Key, g => g.Sum(r => r.Count)),
            rows.GroupBy(r => r.Band).ToDictionary(g => g.Key, g => g.Sum(r => r.Count)), rows);
    }

    private List<BandMixRow> BandMix()
    {
        if (_baseline is null) return [];
        var c = _baseline.Cutoffs;
        var held = _baseline.HeldOut.Probabilities;
        var heldBands = held.GroupBy(p => c.Assign(p, false)).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var total = _live.Count;
        return c.Names.All.Select(band =>
        {
            var live = _liveBands.GetValueOrDefault(band);
            double? heldShare = band == c.Names.Disqualified || held.Length == 0 ? null : (double)heldBands.GetValueOrDefault(band) / held.Length;
            return new BandMixRow(band, live, total == 0 ? null : (double)live / total, heldShare);
        }).ToList();
    }

    private DriftReport Drift(List<MonitoringAlert> alerts)
    {
        if (_baseline is null) return new DriftReport(null, 0, "no model is served", [], "no model is served");
        var min = _thresholds.MinSample;
        double? psi = null;
        string? note = null;
        if (_baseline.HeldOut.Probabilities.Length == 0) note = "the bundle records no held-out probabilities";
        else if (_live.Count < min) note = $"{_live.Count} model answers in the window; PSI needs at least {min} (Monitoring:MinSample)";
        else
        {
            psi = Metrics.Psi(_baseline.HeldOut.Probabilities, _live, Bins);
            if (psi > _thresholds.PsiAlert)
                alerts.Add(new MonitoringAlert("score-psi", null, psi.Value, _thresholds.PsiAlert,
                    $"the live score distribution has shifted from the held-out one (PSI {psi:0.###} > {_thresholds.PsiAlert})"));
        }

        string? fieldsNote = null;
        var fields = new List<FieldDrift>();
        var training = _baseline.TrainingFields?.ToDictionary(f => f.Field, StringComparer.Ordinal);
        if (training is null) fieldsNote = "the bundle has no readable report.json with training distributions: per-field PSI is skipped";
        foreach (var (field, importance, values) in _fields)
        {
            var profile = training?.GetValueOrDefault(field);
            var reference = profile?.Reference;
            var type = _baseline.Schema.Find(field)?.Type ?? ColumnType.Categorical;
            double? fpsi = null;
            string? why = null;
            if (training is null) why = "no training distribution recorded";
            else if (reference is null) why = profile?.PsiNote ?? $"report.json records no training distribution for {field}";
            else if (values.Count < min) why = $"{values.Count} values; PSI needs at least {min}";
            else if ((fpsi = DataProfiler.PsiAgainst(reference, type, [.. values])) is null) why = "no present values to compare";
            else if (fpsi > _thresholds.PsiAlert)
                alerts.Add(new MonitoringAlert("field-psi", field, fpsi.Value, _thresholds.PsiAlert,
                    $"{field} has shifted from its training distribution (PSI {fpsi:0.###} > {_thresholds.PsiAlert})"));
            fields.Add(new FieldDrift(field, importance, fpsi, values.Count, why));
        }
        return new DriftReport(psi, _live.Count, note, fields, fieldsNote);
    }

    private CalibrationReport Calibration(IReadOnlyList<ScoredOutcome> outcomes, long unscored, List<MonitoringAlert> alerts)
    {
        var rules = outcomes.Count(o => o.Source != Scoring.LeadScorer.ModelSource);
        var mine = outcomes.Where(o => o.Source == Scoring.LeadScorer.ModelSource && o.ModelVersion == _baseline?.Version).ToList();
        var others = outcomes.Count - rules - mine.Count;
        var won = outcomes.Count(o => o.Won);
        var heldOutEce = _baseline?.HeldOutEce;
        if (_baseline is null || mine.Count == 0)
            return new CalibrationReport(outcomes.Count, mine.Count, rules, others, unscored, won, null, heldOutEce, [], [],
                _baseline is null ? "no model is served" : $"no outcomes yet for leads scored by {_baseline.Version} in the window");
        var p = mine.Select(o => o.Probability).ToArray();
        var y = mine.Select(o => o.Won).ToArray();
        var ece = Metrics.Ece(p, y, Bins);
        var deciles = Metrics.Reliability(p, y, Bins, BinStrategy.EqualMass);
        var bands = mine.GroupBy(o => o.Band, StringComparer.Ordinal).Select(g =>
        {
            var n = g.Count();
            var w = g.Count(o => o.Won);
            var (low, high) = Metrics.Wilson(w, n);
            return new BandCalibration(g.Key, n, w, g.Average(o => o.Probability), (double)w / n, low, high);
        }).OrderBy(b => BandOrder(b.Band)).ToList();
        string? note = null;
        if (mine.Count < _thresholds.MinSample)
            note = $"{mine.Count} outcomes; the ECE alert needs at least {_thresholds.MinSample} (Monitoring:MinSample)";
        else if (heldOutEce is { } h && ece - h > _thresholds.EceAlert)
            alerts.Add(new MonitoringAlert("ece", null, ece, h + _thresholds.EceAlert,
                $"live calibration is worse than held-out: ECE {ece:0.###} vs {h:0.###} (allowed +{_thresholds.EceAlert})"));
        return new CalibrationReport(outcomes.Count, mine.Count, rules, others, unscored, won, ece, heldOutEce, deciles, bands, note);
    }

    private int BandOrder(string band)
    {
        var i = _baseline!.Cutoffs.Names.All.ToList().IndexOf(band);
        return i < 0 ? int.MaxValue : i;
    }

    private void AddFields(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        foreach (var (field, _, values) in _fields)
        {
            string? raw = null;
            if (root.TryGetProperty(field, out var v))
                raw = v.ValueKind switch
                {
                    JsonValueKind.String => v.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    _ => v.GetRawText(),
                };
            values.Add(_baseline!.Schema.IsMissing(raw) ? null : raw);
        }
    }
}
