using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Modeling;

[Collection(TrainedSampleCollection.Name)]
public class TrainingPipelineTests(TrainedSampleFixture f)
{
    [Fact]
    public void ValuesThatCannotBeReadAreUsedAsMissingAndReportedWithTheirLines()
    {
        var col = Array.IndexOf(f.Data.Fields, "website_visits_30d");
        var values = f.Data.Values.Select(v => (string?[])v.Clone()).ToList();
        int[] bad = [3, 10, 50, 2999];
        foreach (var i in bad) values[i][col] = i == 10 ? "1e39" : "lots";
        var data = new LeadDataset
        {
            Schema = f.Data.Schema, Fields = f.Data.Fields, Values = values, Labels = f.Data.Labels, Ids = f.Data.Ids,
            Times = f.Data.Times, Lines = f.Data.Lines, Sha256 = "", SkippedRows = [],
        };

        var m = ModelTrainer.Train(data, new TrainingOptions { Trainer = TrainerKind.Logistic, Seed = 5 });

        Assert.Equal(bad.Select(i => $"line {f.Data.Lines[i]}: website_visits_30d:"),
            m.UnreadableValues.Select(u => u[..(u.IndexOf("website_visits_30d:", StringComparison.Ordinal) + "website_visits_30d:".Length)]));
        Assert.Contains("outside the range", m.UnreadableValues[1]);
        Assert.Empty(f.Model.UnreadableValues);
    }

    [Fact]
    public void TimestampedDataIsJudgedOnTheMostRecentFifth()
    {
        Assert.Equal(800, f.Model.TestSet.Count);
        Assert.True(f.Model.TestSet.Times.Min() >= f.Model.Train.Times.Max());
        Assert.StartsWith("time", f.Model.SplitMethod);
    }

    [Fact]
    public void LabelIdIgnoredAndPostOutcomeFieldsNeverBecomeFeatures()
    {
        var fields = f.Model.Plan.Fields;
        Assert.DoesNotContain("outcome", fields);
        Assert.DoesNotContain("lead_id", fields);
        Assert.DoesNotContain("closed_reason", fields);
        Assert.Contains("job_title", fields);
    }

    [Fact]
    public void ProbabilitiesAreCalibratedOnTheTestPart()
    {
        Assert.InRange(f.Model.Test.EceEqualWidth, 0, 0.06);
        Assert.InRange(f.Model.Test.RocAuc, 0.75, 0.95);
        var meanP = f.Model.TestProbabilities.Average();
        var rate = f.Model.TestLabels.Average(l => l ? 1.0 : 0.0);
        Assert.InRange(meanP - rate, -0.04, 0.04);
        Assert.Contains(f.Model.Calibration.Method, new[] { "platt", "isotonic" });
        Assert.Contains("log loss", f.Model.Calibration.Why);
    }

    [Fact]
    public void CrossValidationTriedEveryCandidateOfTheForcedTrainer()
    {
        Assert.All(f.Model.CrossValidation, r => Assert.StartsWith("logistic", r.Candidate));
        Assert.Equal(Candidate.Grid(TrainerKind.Logistic).Count, f.Model.CrossValidation.Count);
        Assert.All(f.Model.CrossValidation, r => Assert.True(r.OutOfFoldLogLoss is > 0.1 and < 0.5, r.ToString()));
    }

    [Fact]
    public void ImportanceIsPerBusinessFieldAndFindsTheIntentSignals()
    {
        var imp = f.Model.Importance;
        Assert.Equal(f.Model.Plan.Fields.Count, imp.Count);
        Assert.Equal(imp.Select(i => i.Field).Distinct().Count(), imp.Count);
        var top = imp.Take(8).Select(i => i.Field).ToList();
        Assert.Contains("demo_requested", top);
        Assert.Contains(imp, i => i.Field == "job_title" && i.LogLossIncrease > 0);
    }

    [Fact]
    public void TheSameDataSchemaAndSeedGiveTheSameMetrics()
    {
        var again = ModelTrainer.Train(f.Data, new TrainingOptions { Trainer = TrainerKind.Logistic, Seed = 5 });
        Assert.Equal(f.Model.Test.RocAuc, again.Test.RocAuc, 12);
        Assert.Equal(f.Model.Test.LogLoss, again.Test.LogLoss, 12);
        Assert.Equal(f.Model.TestProbabilities, again.TestProbabilities);
    }

    [Fact]
    public void TreeModelsAreDeterministicAndMatchMlNet()
    {
        var small = f.Data.Subset(Enumerable.Range(0, 2500).ToArray());
        var a = ModelTrainer.Train(small, new TrainingOptions { Trainer = TrainerKind.LightGbm, Seed = 9 });
        var b = ModelTrainer.Train(small, new TrainingOptions { Trainer = TrainerKind.LightGbm, Seed = 9 });
        Assert.Equal(a.Test.LogLoss, b.Test.LogLoss, 12);
        Assert.IsType<TreeEnsembleModel>(a.Scoring);
        // Training already refuses a model whose own scores differ from ML.NET's; the checks it kept say so too.
        Assert.All(a.Checks, c => Assert.Equal(c.Raw, a.Scoring.Raw(c.X), 3));
    }

    [Fact]
    public void DataWhoseRowsWereAllSkippedSaysWhy()
    {
        // Every data row one field longer than the header (a separator and a value after the last column): all skipped.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "ragged.csv");
        var lines = File.ReadLines(RepoPaths.Repo("data", "sample", "leads.csv")).Take(200).ToList();
        File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Select(l => l + ",x")));
        var data = LeadDataset.Load(csv, f.Data.Schema);
        var e = Assert.Throws<TrainingException>(() => ModelTrainer.Train(data, new TrainingOptions { Trainer = TrainerKind.Logistic }));
        Assert.Contains("0 positive and 0 negative", e.Message);
        Assert.Contains("199 rows were skipped as unreadable, for example: ", e.Message);
        Assert.Contains("line 2: expected", e.Message);
    }

    [Fact]
    public void TooFewPositivesIsAClearError()
    {
        var idx = Enumerable.Range(0, f.Data.Count).Where(i => !f.Data.Labels[i]).Take(500)
            .Concat(Enumerable.Range(0, f.Data.Count).Where(i => f.Data.Labels[i]).Take(39)).ToArray();
        var e = Assert.Throws<TrainingException>(() => ModelTrainer.Train(f.Data.Subset(idx), new TrainingOptions { Trainer = TrainerKind.Logistic }));
        Assert.Contains("39 positive", e.Message);
        Assert.Contains("at least 40", e.Message);
    }

    [Fact]
    public void AnUsableLeakIsFlaggedAndStrictStops()
    {
        var leaky = f.Schema with { Columns = f.Schema.Columns.Select(c => c.Name == "closed_reason" ? c with { AvailableAtScoring = true } : c).ToList() };
        var data = LeadDataset.Load(f.Csv, leaky);
        var e = Assert.Throws<TrainingException>(() => ModelTrainer.Train(data, new TrainingOptions { Trainer = TrainerKind.Logistic, FailOnLeak = true }));
        Assert.Contains("closed_reason", e.Message);
        Assert.Contains("leak", e.Message);
    }

    [Fact]
    public void UnmappableLabelsAreCountedInTheError()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "x.csv");
        File.WriteAllText(csv, "id,v,y\n1,2,won\n2,3,lost\n3,4,open\n4,5,open\n5,6,pending\n");
        var schema = LeadSchema.Parse("""{ "label": { "column": "y", "positive": ["won"], "negative": ["lost"] }, "id": "id", "columns": [ { "name": "v", "type": "numeric" } ] }""");
        var e = Assert.Throws<CsvFormatException>(() => LeadDataset.Load(csv, schema));
        Assert.Contains("3 rows have a label the schema cannot map", e.Message);
        Assert.Contains("'open' ×2", e.Message);
        Assert.Contains("'pending' ×1", e.Message);
    }

    [Fact]
    public void RowsWithBadTimestampsAreSkippedWithTheirLine()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "x.csv");
        var lines = File.ReadLines(f.Csv).Take(6).ToList();
        lines[3] = lines[3].Replace(lines[3].Split(',')[1], "not-a-date");
        File.WriteAllLines(csv, lines);
        var d = LeadDataset.Load(csv, f.Schema);
        Assert.Equal(4, d.Count);
        Assert.Contains(d.SkippedRows, s => s.Contains("line 4") && s.Contains("not-a-date"));
        Assert.Throws<CsvFormatException>(() => LeadDataset.Load(csv, f.Schema, strict: true));
    }

    [Fact]
    public void WorksOnARealExportWithoutATimestamp()
    {
        // Nothing in the trainer knows a lead field: the bank-marketing export trains from an inferred schema.
        var table = CsvTable.Load(RepoPaths.BankMarketing);
        var schema = SchemaInferrer.Infer(table, "output", ["yes"]).Schema;
        schema = schema with { Columns = schema.Columns.Select(c => c.Name == "duration" ? c with { Type = ColumnType.Ignore } : c).ToList() };
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "bank.csv");
        // Every 6th contact: the file is in campaign order, so its head alone is one season.
        File.WriteAllLines(csv, File.ReadLines(RepoPaths.BankMarketing).Where((_, i) => i == 0 || i % 6 == 0));
        var m = ModelTrainer.Train(LeadDataset.Load(csv, schema), new TrainingOptions { Trainer = TrainerKind.Logistic });
        Assert.StartsWith("stratified", m.SplitMethod);
        Assert.InRange(m.Test.RocAuc, 0.6, 0.95);
        Assert.DoesNotContain("duration", m.Plan.Fields);
    }
}
