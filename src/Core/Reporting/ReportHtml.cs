using System.Globalization;
using System.Net;
using System.Text;
using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Reporting;

/// <summary>
/// report.html: one self-contained page (inline CSS and SVG, no script, no external reference) that opens offline,
/// e.g. attached to an e-mail. Charts are <c>&lt;figure id="chart-…"&gt;</c>, tables <c>&lt;figure id="table-…"&gt;</c>,
/// and every summary number carries <c>data-key</c> / <c>data-value</c> (round-trip invariant) matching report.json's summary.
/// </summary>
public static class ReportHtml
{
    public static readonly IReadOnlyList<string> ChartIds = ["chart-reliability", "chart-roc", "chart-gain", "chart-score-distribution", "chart-importance"];
    public static readonly IReadOnlyList<string> TableIds = ["table-metrics", "table-reliability", "table-lift", "table-bands", "table-confusion", "table-importance", "table-parts", "table-profile"];

    /// <param name="p">The scored probabilities behind the report (the ROC and score-distribution charts need them).</param>
    public static string Render(Report r, IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        var h = new StringBuilder(64 * 1024);
        var s = r.Metrics;
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append($"<title>Lead scoring report — {E(r.Model.Version)}</title>\n<style>{Css}</style>\n</head>\n<body>\n");
        h.Append($"<header><h1>Lead scoring report</h1><p class=\"meta\">Model <b data-key=\"version\">{E(r.Model.Version)}</b> ({E(r.Model.TrainerDescription)}) · {E(r.Kind == "training" ? "judged on the held-out part of its training data" : "judged on fresh labelled data")} · data <b>{E(r.Data)}</b> · {s.Count} leads · generated {r.GeneratedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</p></header>\n");

        h.Append("<section id=\"summary\"><h2>In short</h2>\n<ul>\n");
        foreach (var f in r.Summary)
            h.Append($"<li data-key=\"{E(f.Key)}\" data-value=\"{N(f.Value)}\">{E(f.Text)}</li>\n");
        h.Append("</ul>\n</section>\n");

        if (r.Warnings.Count > 0)
        {
            h.Append("<section id=\"warnings\"><h2>Warnings</h2>\n<ul>\n");
            foreach (var w in r.Warnings) h.Append($"<li class=\"warning\" data-kind=\"{E(w.Kind)}\">{E(w.Message)}</li>\n");
            h.Append("</ul>\n</section>\n");
        }

        h.Append("<section id=\"quality\"><h2>How good the scores are</h2>\n");
        Table(h, "table-metrics", "Headline metrics", ["metric", "value", "what it means"],
        [
            Row("roc-auc", "ROC AUC", s.RocAuc, "chance that a buyer outranks a non-buyer (0.5 = coin toss)"),
            Row("pr-auc", "PR AUC (average precision)", s.AveragePrecision, F($"precision averaged over recall; the base rate {s.BaseRate:F3} is chance")),
            Row("log-loss", "log loss (natural log)", s.LogLoss, "penalty for confident mistakes; lower is better"),
            Row("brier", "Brier score", s.Brier, "mean squared error of the probability; lower is better"),
            Row("brier-reliability", "Brier: reliability", s.Murphy.Reliability, "miscalibration part (lower is better)"),
            Row("brier-resolution", "Brier: resolution", s.Murphy.Resolution, "how much scores separate leads (higher is better)"),
            Row("brier-uncertainty", "Brier: uncertainty", s.Murphy.Uncertainty, "base rate × (1 − base rate): the data's own difficulty"),
            Row("ece", "ECE (10 equal-width bins)", s.EceEqualWidth, "average gap between stated and observed probability"),
            Row("ece-equal-mass", "ECE (10 equal-mass bins)", s.EceEqualMass, "the same over bins with equal numbers of leads"),
            Row("mce", "MCE (10 equal-width bins)", s.Mce, "largest gap in any bin"),
        ]);

        Figure(h, "chart-reliability", ReportCharts.Reliability(r),
            F($"Points on the dashed line mean the probabilities can be taken at face value; bars show how many leads fell in each bin. Calibration: {r.Model.Calibration} — {r.Model.CalibrationWhy}."));
        Table(h, "table-reliability", "Reliability table (10 equal-width bins, 95% Wilson intervals)", ["scores", "leads", "mean predicted", "observed rate", "95% interval"],
            s.Reliability.Select(b => Cells(F($"{ReportBuilder.Score(b.Lower)}–{ReportBuilder.Score(b.Upper)}"), b.Count.ToString(CultureInfo.InvariantCulture), P(b.MeanPredicted), P(b.ObservedRate), F($"{P(b.WilsonLow)} – {P(b.WilsonHigh)}"))));
        Figure(h, "chart-roc", ReportCharts.Roc(r, p, y), "The further the curve bows to the top left, the better the scores rank buyers above the rest.");
        Figure(h, "chart-gain", ReportCharts.Gain(r), "Calling leads in score order: the share of all buyers reached after each tenth of the list.");
        Table(h, "table-lift", "Lift by decile (decile 1 = highest scores)", ["decile", "leads", "buyers", "rate", "lift", "cumulative gain", "scores"],
            s.Lift.Select(l => Cells(l.Decile.ToString(CultureInfo.InvariantCulture), l.Count.ToString(CultureInfo.InvariantCulture), l.Positives.ToString(CultureInfo.InvariantCulture), P(l.Rate), X(l.Lift, "F2"), P(l.CumulativeGain), F($"{l.MinScore:F3}–{l.MaxScore:F3}"))));
        Figure(h, "chart-score-distribution", ReportCharts.ScoreDistribution(p, y), "Where buyers and non-buyers land on the score scale; the less they overlap, the better.");
        h.Append("</section>\n");

        h.Append("<section id=\"bands\"><h2>Bands</h2>\n");
        Table(h, "table-bands", "Band table (a lead goes to the first band whose cutoff it reaches)", ["band", "cutoff", "leads", "share", "buyers", "conversion", "95% interval", "precision (this band or better)", "recall (this band or better)"],
            r.Bands.Select((b, i) => Cells(b.Name, X(r.Cutoffs[i].MinProbability, "F3"), b.Count.ToString(CultureInfo.InvariantCulture), P(b.Share), b.Positives.ToString(CultureInfo.InvariantCulture), P(b.ConversionRate), F($"{P(b.WilsonLow)} – {P(b.WilsonHigh)}"), P(b.PrecisionAtOrAbove), P(b.RecallAtOrAbove))));
        Table(h, "table-confusion", "Confusion matrix at each cutoff (this band or better counts as predicted buyer)", ["band", "cutoff", "true positives", "false positives", "true negatives", "false negatives"],
            r.Confusion.Select(c => Cells(c.Band, X(c.Cutoff, "F3"), I(c.TruePositives), I(c.FalsePositives), I(c.TrueNegatives), I(c.FalseNegatives))));
        h.Append("</section>\n");

        h.Append("<section id=\"importance\"><h2>What drives the score</h2>\n");
        Figure(h, "chart-importance", ReportCharts.Importance(r), "Permutation importance on the training run's held-out part: the rise in log loss when a field's values are shuffled among leads.");
        Table(h, "table-importance", "Permutation importance", ["field", "AUC drop", "log loss increase (nats)"],
            r.Importance.Select(i => Cells(i.Field, X(i.AucDrop, "F4"), X(i.LogLossIncrease, "F4"))));
        h.Append("</section>\n");

        h.Append("<section id=\"data\"><h2>The data</h2>\n");
        if (r.Profile.LeftOut is { } left)
            h.Append($"<p id=\"left-out\" data-value=\"{I(left.Rows)}\">{E(left.Text)}; they are in no count, rate or metric of this report.</p>\n");
        var (tr, te) = (r.Profile.Train, r.Profile.Test);
        Table(h, "table-parts", "Parts", ["part", "rows", "buyers", "label rate", "from", "to"],
        [
            Cells("training", I(tr.Rows), I(tr.Positives), P(tr.LabelRate), D(tr.From), D(tr.To)),
            Cells(r.Kind == "training" ? "test (held out)" : "judged here", I(te.Rows), I(te.Positives), P(te.LabelRate), D(te.From), D(te.To)),
        ]);
        Table(h, "table-profile", "Fields: missing share and drift from training (PSI; below 0.1 stable, 0.1–0.25 watch, above 0.25 shifted)", ["field", "type", "missing (training)", "missing (judged)", "PSI", "note"],
            r.Profile.Fields.Select(f => Cells(f.Field, f.Type, f.MissingTrain is { } mt ? P(mt) : "–", P(f.MissingTest), f.Psi is { } psi ? X(psi, "F3") : "–", f.PsiNote ?? "")));
        h.Append("</section>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Figure(StringBuilder h, string id, string svg, string caption) =>
        h.Append($"<figure id=\"{id}\" class=\"chart\">\n{svg}\n<figcaption>{E(caption)}</figcaption>\n</figure>\n");

    private static void Table(StringBuilder h, string id, string caption, string[] headers, IEnumerable<string> rows)
    {
        h.Append($"<figure id=\"{id}\" class=\"table\"><table>\n<caption>{E(caption)}</caption>\n<thead><tr>");
        foreach (var c in headers) h.Append($"<th>{E(c)}</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows) h.Append(row);
        h.Append("</tbody>\n</table></figure>\n");
    }

    private static string Cells(params string[] cells) => "<tr>" + string.Concat(cells.Select(c => $"<td>{E(c)}</td>")) + "</tr>\n";

    private static string Row(string key, string name, double value, string meaning) =>
        $"<tr><td>{E(name)}</td><td data-key=\"{key}\" data-value=\"{N(value)}\">{X(value, "F4")}</td><td>{E(meaning)}</td></tr>\n";

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    /// <summary>A machine-readable number: round-trip, invariant, "NaN" when undefined.</summary>
    internal static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string X(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
    private static string P(double v) => double.IsNaN(v) ? "n/a" : (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(DateTime? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–";
    private static string F(FormattableString s) => FormattableString.Invariant(s);

    private const string Css = """
        body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
        h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
        .meta{color:#555;margin-top:0}
        #summary ul{font-size:1.08em}#summary li{margin:.3em 0}
        #warnings{background:#fff4e5;border-left:4px solid #d95f02;padding:.2em 1em}
        figure{margin:1.4em 0}figure.chart svg{max-width:100%;height:auto;display:block}
        figcaption{color:#555;font-size:.92em}
        table{border-collapse:collapse;width:100%;font-size:.92em}caption{text-align:left;font-weight:bold;padding:.3em 0}
        th,td{border-bottom:1px solid #e5e5e5;padding:.3em .5em;text-align:left}th{background:#f6f6f6}
        td:not(:first-child){font-variant-numeric:tabular-nums}
        """;
}
