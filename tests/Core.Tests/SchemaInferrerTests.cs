using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

public class SchemaInferrerTests
{
    private static readonly Lazy<SchemaProposal> Sample = new(() =>
        SchemaInferrer.Infer(CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv")), "outcome", ["won"]));

    private static readonly Lazy<SchemaProposal> Bank = new(() =>
        SchemaInferrer.Infer(CsvTable.Load(RepoPaths.BankMarketing), "output", ["yes"]));

    private static ColumnType TypeOf(SchemaProposal p, string name) => p.Schema.Find(name)!.Type;

    [Fact]
    public void SampleColumnsGetTheirTypes()
    {
        var p = Sample.Value;
        Assert.Equal("lead_id", p.Schema.Id);
        Assert.Equal("created_at", p.Schema.Timestamp);
        Assert.Equal(ColumnType.Datetime, TypeOf(p, "created_at"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "lead_source"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "company_size"));
        Assert.Equal(ColumnType.Text, TypeOf(p, "job_title"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "website_visits_30d"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "visit_trend"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "demo_requested"));
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "lead_id"));
    }

    [Fact]
    public void SampleLeakIsFlaggedAndNotAvailableAtScoring()
    {
        var p = Sample.Value;
        Assert.False(p.Schema.Find("closed_reason")!.AvailableAtScoring);
        var d = p.Decisions.Single(x => x.Name == "closed_reason");
        Assert.Contains("post-outcome", d.Warning);
        Assert.All(p.Decisions.Where(x => x.Name is "demo_requested" or "website_visits_30d"), x => Assert.Null(x.Warning));
    }

    [Fact]
    public void SampleLabelCountsAreReported()
    {
        var p = Sample.Value;
        Assert.Equal(20000, p.Rows);
        Assert.InRange(p.Positives, 1600, 3000);
    }

    [Fact]
    public void BankMarketingExportIsUnderstood()
    {
        var p = Bank.Value;
        Assert.Equal(41188, p.Rows);
        Assert.Equal(4640, p.Positives);
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "age"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "duration"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "job"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "month"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "housing"));
        Assert.Null(p.Schema.Id);
        Assert.Null(p.Schema.Timestamp);
        // 'unknown' is a placeholder, not a level: it counts as missing
        var education = p.Decisions.Single(d => d.Name == "education");
        Assert.InRange(education.MissingShare, 0.03, 0.06);
        Assert.Equal(7, education.Distinct);
    }

    [Fact]
    public void ConstantAndAllMissingColumnsAreIgnored()
    {
        var t = CsvTable.Parse("y,k,e,x\n1,a,,1\n0,a,,2\n1,a,NA,3\n");
        var p = SchemaInferrer.Infer(t, "y");
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "k"));
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "e"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "x"));
    }

    [Fact]
    public void InfersBooleansDatesAndTextFromValues()
    {
        var rows = Enumerable.Range(0, 60).Select(i =>
            $"{i % 2},{(i % 3 == 0 ? "Y" : "N")},2024-0{1 + i % 9}-1{i % 10},{(i % 2 == 0 ? "true" : "false")},Senior Product Designer {i},{i % 4}");
        var t = CsvTable.Parse("y,flag,when,tf,title,level\n" + string.Join("\n", rows));
        var p = SchemaInferrer.Infer(t, "y");
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "flag"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "tf"));
        Assert.Equal(ColumnType.Datetime, TypeOf(p, "when"));
        Assert.Equal(ColumnType.Text, TypeOf(p, "title"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "level"));
        Assert.Equal("when", p.Schema.Timestamp);
    }

    [Fact]
    public void UnknownLabelColumnIsAClearError()
    {
        var e = Assert.Throws<CsvFormatException>(() => SchemaInferrer.Infer(CsvTable.Parse("a,b\n1,2\n"), "Converted"));
        Assert.Contains("'Converted'", e.Message);
    }

    [Fact]
    public void ProposedSchemaIsValid()
    {
        var json = Sample.Value.Schema.ToJson();
        var reparsed = LeadSchema.Parse(json);
        Assert.Equal(Sample.Value.Schema.Columns.Count, reparsed.Columns.Count);
    }
}
