using System.Text.RegularExpressions;
using LeadPropensity.Core.Evaluation;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace LeadPropensity.Core.Reporting;

/// <summary>
/// The report's charts as inline SVG, drawn by OxyPlot's SvgExporter. Text is measured by OxyPlot's own PdfRenderContext
/// (built-in Helvetica metrics, pure managed), so nothing needs a display, a font file or a native library.
/// </summary>
public static partial class ReportCharts
{
    public const int Width = 640, Height = 420;
    private static readonly OxyColor Blue = OxyColor.FromRgb(0x1f, 0x6f, 0xb2), Orange = OxyColor.FromRgb(0xd9, 0x5f, 0x02), Grey = OxyColor.FromRgb(0x88, 0x88, 0x88);

    /// <summary>Observed rate against mean predicted per equal-width bin with 95% Wilson intervals; the score histogram beneath.</summary>
    public static string Reliability(Report r)
    {
        var m = Model("Reliability: predicted vs observed");
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 1, Title = "predicted probability", MajorGridlineStyle = LineStyle.Dot });
        m.Axes.Add(new LinearAxis { Key = "rate", Position = AxisPosition.Left, Minimum = 0, Maximum = 1, StartPosition = 0.32, EndPosition = 1, Title = "observed rate", MajorGridlineStyle = LineStyle.Dot });
        m.Axes.Add(new LinearAxis { Key = "count", Position = AxisPosition.Left, Minimum = 0, StartPosition = 0, EndPosition = 0.25, Title = "leads", MaximumPadding = 0.1 });
        var diagonal = new LineSeries { YAxisKey = "rate", Color = Grey, LineStyle = LineStyle.Dash, Title = "perfect calibration" };
        diagonal.Points.AddRange([new DataPoint(0, 0), new DataPoint(1, 1)]);
        var whiskers = new LineSeries { YAxisKey = "rate", Color = Blue, StrokeThickness = 1, Title = "95% Wilson interval" };
        var observed = new LineSeries { YAxisKey = "rate", Color = Blue, MarkerType = MarkerType.Circle, MarkerSize = 3.5, MarkerFill = Blue, Title = "observed" };
        var histogram = new RectangleBarSeries { YAxisKey = "count", FillColor = OxyColor.FromAColor(160, Blue), StrokeThickness = 0, Title = "leads per bin" };
        foreach (var b in r.Metrics.Reliability)
        {
            histogram.Items.Add(new RectangleBarItem(b.Lower, 0, b.Upper, b.Count));
            if (b.Count == 0) continue;
            observed.Points.Add(new DataPoint(b.MeanPredicted, b.ObservedRate));
            whiskers.Points.AddRange([new DataPoint(b.MeanPredicted, b.WilsonLow), new DataPoint(b.MeanPredicted, b.WilsonHigh), DataPoint.Undefined]);
        }
        m.Series.Add(diagonal); m.Series.Add(whiskers); m.Series.Add(observed); m.Series.Add(histogram);
        return Svg(m, "chart-reliability", Height + 80);
    }

    /// <summary>The ROC curve, its points the confusion matrices at up to 200 score thresholds (Metrics.ConfusionAtCutoffs).</summary>
    public static string Roc(Report r, IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        var m = Model(FormattableString.Invariant($"ROC curve (AUC {r.Metrics.RocAuc:F3})"));
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 1, Title = "false positive rate (lost leads flagged)", MajorGridlineStyle = LineStyle.Dot });
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, Maximum = 1, Title = "true positive rate (buyers flagged)", MajorGridlineStyle = LineStyle.Dot });
        var chance = new LineSeries { Color = Grey, LineStyle = LineStyle.Dash, Title = "chance" };
        chance.Points.AddRange([new DataPoint(0, 0), new DataPoint(1, 1)]);
        var curve = new LineSeries { Color = Blue, StrokeThickness = 2, Title = "model" };
        curve.Points.Add(new DataPoint(0, 0));
        foreach (var c in RocPoints(p, y))
        {
            int pos = c.TruePositives + c.FalseNegatives, neg = c.FalsePositives + c.TrueNegatives;
            if (pos > 0 && neg > 0) curve.Points.Add(new DataPoint((double)c.FalsePositives / neg, (double)c.TruePositives / pos));
        }
        curve.Points.Add(new DataPoint(1, 1));
        m.Series.Add(chance); m.Series.Add(curve);
        return Svg(m, "chart-roc");
    }

    /// <summary>Share of all buyers found in the top k deciles of scores.</summary>
    public static string Gain(Report r)
    {
        var m = Model("Cumulative gain");
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 100, Title = "% of leads contacted (highest scores first)", MajorGridlineStyle = LineStyle.Dot });
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, Maximum = 100, Title = "% of buyers reached", MajorGridlineStyle = LineStyle.Dot });
        var random = new LineSeries { Color = Grey, LineStyle = LineStyle.Dash, Title = "random order" };
        random.Points.AddRange([new DataPoint(0, 0), new DataPoint(100, 100)]);
        var gain = new LineSeries { Color = Blue, StrokeThickness = 2, MarkerType = MarkerType.Circle, MarkerSize = 3, MarkerFill = Blue, Title = "model" };
        gain.Points.Add(new DataPoint(0, 0));
        var seen = 0;
        foreach (var row in r.Metrics.Lift)
        {
            seen += row.Count;
            if (!double.IsNaN(row.CumulativeGain)) gain.Points.Add(new DataPoint(100.0 * seen / r.Metrics.Count, 100 * row.CumulativeGain));
        }
        m.Series.Add(random); m.Series.Add(gain);
        return Svg(m, "chart-gain");
    }

    /// <summary>Share of each class per score bin of width 0.05: how well the scores separate buyers from the rest.</summary>
    public static string ScoreDistribution(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        const int bins = 20;
        var m = Model("Score distribution by outcome");
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 1, Title = "predicted probability", MajorGridlineStyle = LineStyle.Dot });
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, Title = "share of the outcome's leads", MaximumPadding = 0.1, StringFormat = "P0" });
        foreach (var (cls, color, title) in new[] { (true, Orange, "bought"), (false, Blue, "did not buy") })
        {
            var counts = new double[bins];
            var n = 0;
            for (var i = 0; i < p.Count; i++)
                if (y[i] == cls) { counts[Metrics.WidthBin(p[i], bins)]++; n++; }
            var s = new StairStepSeries { Color = color, StrokeThickness = 2, Title = F($"{title} (n = {n})") };
            for (var b = 0; b < bins; b++) s.Points.Add(new DataPoint((double)b / bins, n == 0 ? 0 : counts[b] / n));
            s.Points.Add(new DataPoint(1, n == 0 ? 0 : counts[bins - 1] / n));
            m.Series.Add(s);
        }
        return Svg(m, "chart-score-distribution");
    }

    /// <summary>Permutation importance: how much the held-out log loss grows when a field's values are shuffled.</summary>
    public static string Importance(Report r)
    {
        var top = r.Importance.Take(15).ToList();
        var m = Model("Which fields matter (permutation importance)");
        var fields = new CategoryAxis { Position = AxisPosition.Left, StartPosition = 1, EndPosition = 0 };
        fields.Labels.AddRange(top.Select(i => i.Field));
        m.Axes.Add(fields);
        m.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "log loss increase when shuffled (nats)", MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0, AbsoluteMinimum = Math.Min(0, top.Select(i => i.LogLossIncrease).DefaultIfEmpty(0).Min()) });
        var bars = new BarSeries { FillColor = Blue, StrokeThickness = 0 };
        bars.Items.AddRange(top.Select(i => new BarItem(i.LogLossIncrease)));
        m.Series.Add(bars);
        return Svg(m, "chart-importance", Math.Max(200, 60 + 24 * top.Count));
    }

    internal static IReadOnlyList<ConfusionAt> RocPoints(IReadOnlyList<double> p, IReadOnlyList<bool> y, int maxPoints = 200)
    {
        var distinct = p.Distinct().OrderByDescending(v => v).ToArray();
        var step = Math.Max(1, distinct.Length / maxPoints);
        var thresholds = distinct.Where((_, i) => i % step == 0 || i == distinct.Length - 1).Distinct().ToArray();
        return Metrics.ConfusionAtCutoffs(p, y, thresholds.Select((t, i) => new BandCutoff("t" + i, t)).ToArray());
    }

    private static PlotModel Model(string title) => new()
    {
        Title = title, DefaultFont = "Arial", DefaultFontSize = 12, TitleFontSize = 15, TitleFontWeight = FontWeights.Bold,
        Background = OxyColors.White, PlotAreaBorderThickness = new OxyThickness(1, 0, 0, 1), IsLegendVisible = true,
        Legends = { new OxyPlot.Legends.Legend { LegendPosition = OxyPlot.Legends.LegendPosition.TopLeft, LegendBackground = OxyColor.FromAColor(220, OxyColors.White) } },
    };

    /// <summary>
    /// SVG for inline HTML: no XML declaration and no namespace URLs (the HTML parser knows &lt;svg&gt;), a viewBox so it scales,
    /// and clip-path ids made unique per chart because every OxyPlot export numbers them from clipPath1.
    /// </summary>
    private static string Svg(PlotModel m, string id, int height = Height)
    {
        var svg = SvgExporter.ExportToString(m, Width, height, false, new PdfRenderContext(Width, height, OxyColors.White), true);
        svg = XmlDeclaration().Replace(svg, "");
        svg = Namespaces().Replace(svg, "");
        svg = ClipId().Replace(svg, $"{id}-clip$1");
        svg = svg.Replace($"<svg width=\"{Width}\" height=\"{height}\"", $"<svg viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"{m.Title}\"", StringComparison.Ordinal);
        return svg.Trim();
    }

    private static string F(FormattableString s) => FormattableString.Invariant(s);

    [GeneratedRegex(@"<\?xml[^>]*\?>\s*")] private static partial Regex XmlDeclaration();
    [GeneratedRegex(@"\s+xmlns(:\w+)?=""[^""]*""")] private static partial Regex Namespaces();
    [GeneratedRegex(@"\bclipPath(\d+)\b")] private static partial Regex ClipId();
}
