using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Rules;

/// <summary>Per band: how many leads, and how many of them bought (with a 95% Wilson interval).</summary>
public sealed record BandConversion(string Band, int Count, double Share, int Won, double Rate, double Low, double High);

/// <summary>One engine's ranking quality and band mix on labelled leads.</summary>
public sealed record EngineEvaluation(string Engine, double RocAuc, IReadOnlyList<BandConversion> Bands);

/// <param name="LeftOut">Rows whose label means no outcome yet (the schema label's "open" values), in neither engine's numbers.</param>
public sealed record RulesComparisonResult(int Rows, int Positives, EngineEvaluation Rules, EngineEvaluation? Model, int SkippedRows, LeftOutRows? LeftOut = null);

/// <summary>The analyst's case for (or against) the model: the rule score and the model on the same labelled rows.</summary>
public static class RulesComparison
{
    public static RulesComparisonResult Evaluate(RuleSet rules, LeadSchema schema, string csvPath, ModelBundle? model = null, BandCutoffs? cutoffs = null)
    {
        using var reader = CsvTableReader.Open(csvPath);
        var labelIdx = CsvText.RequireColumn(reader.Headers, schema.Label.Column, "label", csvPath);
        var mapper = model is null ? null : new RowMapper(model.Schema, reader.Headers, csvPath, model.Fields);
        cutoffs ??= model is null ? null : LeadScorer.CutoffsOf(model);
        var y = new List<bool>(); var ruleScore = new List<double>(); var ruleBand = new List<string>();
        var modelP = new List<double>(); var modelBand = new List<string>();
        var x = model is null ? [] : new float[model.Plan.Width];
        var skipped = 0;
        var open = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        while (reader.TryReadRow(out var row, out _) is { } ok)
        {
            if (!ok) { skipped++; continue; }
            var outcome = schema.ReadLabel(row.Values[labelIdx]);
            if (outcome == LabelOutcome.Open)
            {
                var key = row.Values[labelIdx].Trim();
                open[key] = open.GetValueOrDefault(key) + 1;
                continue;
            }
            if (outcome is not (LabelOutcome.Won or LabelOutcome.Lost)) { skipped++; continue; }
            var label = outcome == LabelOutcome.Won;
            var lead = new Dictionary<string, string?>(reader.Headers.Count, StringComparer.Ordinal);
            for (var i = 0; i < reader.Headers.Count; i++) if (i != labelIdx) lead[reader.Headers[i]] = row.Values[i];
            var r = rules.Evaluate(lead);
            if (mapper is not null)
            {
                var values = mapper.Map(row.Values);
                Array.Clear(x);
                if (!model!.Plan.Encode(values, x)) { skipped++; continue; }
                var p = model.Score(x, values).Probability;
                modelP.Add(p);
                modelBand.Add(cutoffs!.Assign(p, r.Disqualified));
            }
            y.Add(label); ruleScore.Add(r.Score); ruleBand.Add(r.Band);
        }
        var labels = y.ToArray();
        var order = (rules.Bands ?? BandNames.Default).All;
        return new RulesComparisonResult(labels.Length, labels.Count(l => l),
            new EngineEvaluation("rules", Metrics.RocAuc(ruleScore, labels), ByBand(ruleBand, labels, order)),
            model is null ? null : new EngineEvaluation($"model {model.Version}", Metrics.RocAuc(modelP, labels), ByBand(modelBand, labels, order)),
            skipped, LeftOutRows.Of(open));
    }

    public static IReadOnlyList<BandConversion> ByBand(IReadOnlyList<string> bands, IReadOnlyList<bool> y, IReadOnlyList<string> order) =>
        order.Select(name =>
        {
            int n = 0, won = 0;
            for (var i = 0; i < bands.Count; i++) if (bands[i] == name) { n++; if (y[i]) won++; }
            var (lo, hi) = Metrics.Wilson(won, n);
            return new BandConversion(name, n, bands.Count == 0 ? 0 : (double)n / bands.Count, won, n == 0 ? double.NaN : (double)won / n, lo, hi);
        }).ToList();
}
