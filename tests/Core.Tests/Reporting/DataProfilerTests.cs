using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Reporting;

public sealed class DataProfilerTests
{
    private static readonly LeadSchema Schema = LeadSchema.Parse("""
        { "label": { "column": "y" }, "timestamp": "t",
          "columns": [ { "name": "n", "type": "numeric" }, { "name": "c", "type": "categorical" },
                       { "name": "b", "type": "boolean" }, { "name": "txt", "type": "text" }, { "name": "t", "type": "datetime" } ] }
        """);

    private static LeadDataset Data(params (string? N, string? C, string? B)[] rows) => new()
    {
        Schema = Schema, Fields = ["n", "c", "b", "txt", "t"],
        Values = rows.Select(r => new[] { r.N, r.C, r.B, "some words", "2025-01-01" }).ToList(),
        Labels = rows.Select((_, i) => i % 2 == 0).ToList(), Ids = rows.Select(_ => (string?)null).ToList(),
        Times = rows.Select((_, i) => (DateTime?)new DateTime(2025, 1, 1 + i, 0, 0, 0, DateTimeKind.Utc)).ToList(),
        Lines = rows.Select((_, i) => (long)i + 2).ToList(), Sha256 = "", SkippedRows = [],
    };

    private static readonly LeadDataset Train = Data(("1", "a", "yes"), ("2", "a", "no"), ("3", "b", "Yes"), ("4", "b", null));
    private static readonly LeadDataset Test = Data(("5", "a", "yes"), ("6", "a", "yes"), (null, "a", "no"), ("8", "b", "no"));

    [Fact]
    public void NumericDriftIsMetricsPsiOfThePresentValues()
    {
        var n = DataProfiler.Compare(Train, Test).Fields[0];
        Assert.Equal(Metrics.Psi([1.0, 2, 3, 4], [5.0, 6, 8], 10), n.Psi);
        Assert.Equal(0, n.MissingTrain);
        Assert.Equal(0.25, n.MissingTest);
        Assert.Equal("numeric", n.Type);
    }

    [Fact]
    public void CategoricalDriftComparesLevelShares()
    {
        var p = DataProfiler.Compare(Train, Test);
        var c = p.Fields[1];
        Assert.Equal(["a", "b", DataProfiler.Other], c.Reference!.Levels!);
        Assert.Equal(Metrics.Psi([0.5, 0.5, 0.0], [0.75, 0.25, 0.0]), c.Psi);
        var b = p.Fields[2];
        Assert.Equal(["true", "false", DataProfiler.Other], b.Reference!.Levels!); // "yes"/"Yes" are one level
        Assert.Equal(Metrics.Psi([2 / 3.0, 1 / 3.0, 0], [0.5, 0.5, 0]), b.Psi!.Value, 12);
        Assert.Equal(0.25, b.MissingTrain);
    }

    [Fact]
    public void TextAndTimestampAreNotCompared()
    {
        var p = DataProfiler.Compare(Train, Test);
        Assert.Null(p.Fields[3].Psi);
        Assert.Contains("text", p.Fields[3].PsiNote);
        Assert.Null(p.Fields[4].Psi);
        Assert.Contains("timestamp", p.Fields[4].PsiNote);
    }

    [Fact]
    public void AStoredReferenceReproducesTheDirectDrift()
    {
        var direct = DataProfiler.Compare(Train, Test);
        var later = DataProfiler.AgainstReference(Test, direct.Train, direct.Fields);
        Assert.Equal(direct.Fields.Select(x => x.Psi), later.Fields.Select(x => x.Psi));
        Assert.Equal(direct.Fields.Select(x => x.MissingTrain), later.Fields.Select(x => x.MissingTrain));
        Assert.Equal(direct.Train, later.Train);
        Assert.Equal(4, later.Test.Rows);
    }

    [Fact]
    public void WithoutAReferenceThereIsNoDrift()
    {
        var p = DataProfiler.AgainstReference(Test, DataProfiler.Summarize(Train), null);
        Assert.All(p.Fields, x => Assert.Null(x.Psi));
        Assert.Equal(0.25, p.Fields[0].MissingTest);
    }

    [Fact]
    public void RareLevelsArePooled()
    {
        var rows = Enumerable.Range(0, DataProfiler.MaxLevels + 5).Select(i => ((string?)"1", (string?)("L" + i), (string?)"yes")).ToArray();
        var c = DataProfiler.Compare(Data(rows), Data(rows)).Fields[1];
        Assert.Equal(DataProfiler.MaxLevels + 1, c.Reference!.Levels!.Length);
        Assert.Equal(5.0 / rows.Length, c.Reference.Shares[^1], 12);
        Assert.Equal(0, c.Psi!.Value, 12);
    }
}
