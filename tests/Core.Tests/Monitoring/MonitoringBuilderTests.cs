using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Monitoring;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.Monitoring;

public class MonitoringBuilderTests
{
    private static readonly DateTime T = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly BandCutoffs Cutoffs = new(0.2, 0.5);

    private static readonly LeadSchema Schema = new()
    {
        Label = new LabelSpec { Column = "outcome" },
        Columns =
        [
            new ColumnSpec { Name = "visits", Type = ColumnType.Numeric },
            new ColumnSpec { Name = "source", Type = ColumnType.Categorical },
            new ColumnSpec { Name = "minor", Type = ColumnType.Numeric },
        ],
    };

    private static double[] Uniform(int n, int seed, double shift = 0)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Clamp(r.NextDouble() * 0.6 + shift, 0, 1)).ToArray();
    }

    private static MonitoringBaseline Baseline(IReadOnlyList<FieldProfile>? fields = null, double heldOutEce = 0.02)
    {
        var held = Uniform(1000, 1);
        var labels = held.Select((p, i) => new Random(i).NextDouble() < p).ToArray();
        return new MonitoringBaseline("v1", new HeldOut(held, labels), heldOutEce, Cutoffs,
            [new FieldImportance("minor", 0.001, 0), new FieldImportance("visits", 0.2, 0), new FieldImportance("source", 0.1, 0)], Schema, fields);
    }

    private static PredictionRecord Model(double p, string version = "v1", string features = "{}") =>
        new("L", T, version, "model", p, (int)Math.Round(p * 100), Cutoffs.Assign(p, false), features);

    [Fact]
    public void ScorePsiAndBandMixAreMetricsOnTheServedVersionsAnswers()
    {
        var b = Baseline();
        var builder = new MonitoringBuilder(b);
        var live = Uniform(200, 2);
        foreach (var p in live) builder.Add(Model(p));
        builder.Add(Model(0.9, version: "v0"));
        builder.Add(new PredictionRecord("R", T, null, "rules", 0.4, 40, "MQL", "{}"));

        var report = builder.Build(null, null, []);

        Assert.Equal(Metrics.Psi(b.HeldOut.Probabilities, live, 10), report.Drift.ScorePsi);
        Assert.Equal(200, report.Drift.ScoreCount);
        Assert.Equal(202, report.Volume.Total);
        Assert.Equal((201L, 1L), (report.Volume.BySource["model"], report.Volume.BySource["rules"]));
        Assert.Contains(report.Notes, n => n.Contains("other versions"));
        var sql = report.BandMix.Single(r => r.Band == "SQL");
        Assert.Equal(live.Count(p => p >= 0.5), sql.LiveCount);
        Assert.Equal((double)b.HeldOut.Probabilities.Count(p => p >= 0.5) / 1000, sql.HeldOutShare);
        Assert.Null(report.BandMix.Single(r => r.Band == "Disqualified").HeldOutShare);
        Assert.Empty(report.Alerts);
    }

    [Fact]
    public void AShiftedScoreDistributionRaisesAnAlertAtTheConfiguredThreshold()
    {
        var shifted = Uniform(200, 3, shift: 0.35);
        MonitoringReport Run(double threshold)
        {
            var builder = new MonitoringBuilder(Baseline(), new MonitoringThresholds { PsiAlert = threshold });
            foreach (var p in shifted) builder.Add(Model(p));
            return builder.Build(null, null, []);
        }
        var alert = Assert.Single(Run(0.2).Alerts);
        Assert.Equal("score-psi", alert.Kind);
        Assert.True(alert.Value > 0.2);
        Assert.Empty(Run(alert.Value + 0.01).Alerts);
    }

    [Fact]
    public void TooFewAnswersAreNotMeasured()
    {
        var builder = new MonitoringBuilder(Baseline(), new MonitoringThresholds { MinSample = 50 });
        foreach (var p in Uniform(49, 4, shift: 0.4)) builder.Add(Model(p));
        var report = builder.Build(null, null, []);
        Assert.Null(report.Drift.ScorePsi);
        Assert.Contains("at least 50", report.Drift.ScoreNote);
        Assert.Empty(report.Alerts);
    }

    [Fact]
    public void LiveCalibrationIsMetricsOverTheOutcomesAndAlertsWhenWorseThanHeldOut()
    {
        var r = new Random(5);
        var outcomes = Enumerable.Range(0, 300).Select(i =>
        {
            var p = r.NextDouble();
            return new ScoredOutcome($"L{i}", T, "v1", "model", p, (int)(p * 100), Cutoffs.Assign(p, false), r.NextDouble() < p * 0.5, T);
        }).Append(new ScoredOutcome("R", T, null, "rules", 0.3, 30, "MQL", true, T)).ToList();
        var mine = outcomes.Where(o => o.Source == "model").ToList();
        var (p, y) = (mine.Select(o => o.Probability).ToArray(), mine.Select(o => o.Won).ToArray());

        var report = new MonitoringBuilder(Baseline(heldOutEce: 0.02)).Build(null, null, outcomes, unscoredOutcomes: 4);
        var c = report.Calibration;

        Assert.Equal((301, 300, 1, 4L), (c.Outcomes, c.ModelOutcomes, c.RulesOutcomes, c.UnscoredOutcomes));
        Assert.Equal(Metrics.Ece(p, y, 10), c.LiveEce);
        Assert.Equal(Metrics.Reliability(p, y, 10, BinStrategy.EqualMass), c.Deciles);
        var sql = c.Bands.Single(b => b.Band == "SQL");
        var inSql = mine.Where(o => o.Band == "SQL").ToList();
        var (low, high) = Metrics.Wilson(inSql.Count(o => o.Won), inSql.Count);
        Assert.Equal((inSql.Count, low, high), (sql.Count, sql.WilsonLow, sql.WilsonHigh));
        Assert.Equal(["SQL", "MQL", "Nurture"], c.Bands.Select(b => b.Band));
        var alert = Assert.Single(report.Alerts);
        Assert.Equal(("ece", 0.02 + 0.05), (alert.Kind, alert.Threshold));

        var lenient = new MonitoringBuilder(Baseline(heldOutEce: 0.02), new MonitoringThresholds { EceAlert = 0.5 }).Build(null, null, outcomes);
        Assert.Empty(lenient.Alerts);
    }

    [Fact]
    public void TopFieldsAreComparedWithTheTrainingDistributionOfReportJson()
    {
        var edges = new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        var fields = new List<FieldProfile>
        {
            new("visits", "numeric", 0, 0, 0, null, new FieldReference(edges, null, Enumerable.Repeat(0.1, 10).ToArray())),
            new("source", "categorical", 0, 0, 0, null, new FieldReference(null, ["web", "ads", DataProfiler.Other], [0.5, 0.5, 0])),
        };
        var builder = new MonitoringBuilder(Baseline(fields));
        for (var i = 0; i < 100; i++) builder.Add(Model(0.3, features: $$"""{"visits": {{i % 10}}.5, "source": "web", "minor": "NA"}"""));

        var report = builder.Build(null, null, []);

        Assert.Null(report.Drift.FieldsNote);
        Assert.Equal(["visits", "source", "minor"], report.Drift.Fields.Select(f => f.Field)); // by importance
        var visits = report.Drift.Fields[0];
        Assert.Equal(DataProfiler.PsiAgainst(fields[0].Reference!, ColumnType.Numeric, Enumerable.Range(0, 100).Select(i => $"{i % 10}.5").ToArray()), visits.Psi);
        Assert.True(visits.Psi < 0.01);
        var source = report.Drift.Fields[1];
        Assert.Equal(Metrics.Psi([0.5, 0.5, 0], [1.0, 0, 0]), source.Psi!.Value, 12);
        Assert.Contains(report.Alerts, a => a is { Kind: "field-psi", Field: "source" });
        Assert.Null(report.Drift.Fields[2].Psi);
        Assert.NotNull(report.Drift.Fields[2].Note);
    }

    [Fact]
    public void WithoutReportJsonFieldDriftIsSkippedAndSaidSo()
    {
        var builder = new MonitoringBuilder(Baseline());
        foreach (var p in Uniform(100, 6)) builder.Add(Model(p, features: """{"visits": 3}"""));
        var report = builder.Build(null, null, []);
        Assert.Contains("report.json", report.Drift.FieldsNote);
        Assert.All(report.Drift.Fields, f => Assert.Null(f.Psi));
    }

    [Fact]
    public void WithoutAServedModelOnlyVolumeIsReported()
    {
        var builder = new MonitoringBuilder(null);
        builder.Add(new PredictionRecord("R", T, null, "rules", 0.4, 40, "MQL", "{}"));
        var report = builder.Build(T, T.AddDays(1), []);
        Assert.Equal(1, report.Volume.Total);
        Assert.Null(report.Drift.ScorePsi);
        Assert.Empty(report.BandMix);
        Assert.Null(report.Calibration.LiveEce);
        Assert.NotEmpty(report.Notes);
    }
}
