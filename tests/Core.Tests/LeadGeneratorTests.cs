using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Sample;

namespace LeadPropensity.Core.Tests;

public class LeadGeneratorTests
{
    [Fact]
    public void ReproducesTheCommittedSampleByteForByte()
    {
        var dir = RepoPaths.TempDir();
        new LeadGenerator(42).Write(20000, Path.Combine(dir, "leads.csv"), Path.Combine(dir, "truth.csv"));
        Assert.Equal(File.ReadAllBytes(RepoPaths.Repo("data", "sample", "leads.csv")), File.ReadAllBytes(Path.Combine(dir, "leads.csv")));
        Assert.Equal(File.ReadAllBytes(RepoPaths.Repo("data", "sample", "leads.truth.csv")), File.ReadAllBytes(Path.Combine(dir, "truth.csv")));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentLeads()
    {
        var a = new LeadGenerator(1).Generate(50).Select(l => string.Join(",", l.Fields)).ToList();
        var b = new LeadGenerator(2).Generate(50).Select(l => string.Join(",", l.Fields)).ToList();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void BaseRateIsBetweenEightAndFifteenPercentAndMatchesTheTruth()
    {
        var leads = new LeadGenerator(7).Generate(20000).ToList();
        var won = leads.Count(l => l.Fields[^1] == "won") / (double)leads.Count;
        var meanTruth = leads.Average(l => l.TrueProbability);
        Assert.InRange(won, 0.08, 0.15);
        Assert.InRange(meanTruth, 0.08, 0.15);
        Assert.InRange(won - meanTruth, -0.01, 0.01);
    }

    [Fact]
    public void TruthNeverAppearsInTheExport()
    {
        var t = CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv"));
        Assert.DoesNotContain(t.Headers, h => h.Contains("prob", StringComparison.OrdinalIgnoreCase) || h.Contains("truth", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(LeadGenerator.Header, t.Headers);
    }

    [Fact]
    public void HasRealisticMissingValuesAndPlaceholders()
    {
        var t = CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv"));
        double Share(string col, Func<string, bool> f) { var i = t.IndexOf(col); return t.Rows.Count(r => f(r[i])) / (double)t.Rows.Count; }
        Assert.InRange(Share("industry", v => v is "" or "Select"), 0.05, 0.2);
        Assert.InRange(Share("industry", v => v == "Select"), 0.02, 0.1);
        Assert.InRange(Share("job_title", v => v == ""), 0.05, 0.2);
        Assert.InRange(Share("social_engagements_30d", v => v == ""), 0.05, 0.25);
    }

    [Fact]
    public void PartnerSourceAppearsOnlyInTheLastMonths()
    {
        var t = CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv"));
        var src = t.IndexOf("lead_source");
        var at = t.IndexOf("created_at");
        var partner = t.Rows.Where(r => r[src] == "partner").Select(r => DateTime.Parse(r[at], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(partner);
        Assert.True(partner.Min() >= LeadGenerator.Start.AddMonths(LeadGenerator.Months - 4).AddDays(-1));
    }

    [Fact]
    public void SeniorDemoRequestsBuyFarMoreOftenThanStudents()
    {
        var leads = new LeadGenerator(3).Generate(20000).ToList();
        var demo = Array.IndexOf(LeadGenerator.Header, "demo_requested");
        var title = Array.IndexOf(LeadGenerator.Header, "job_title");
        double Rate(Func<string, bool> t) => leads.Where(l => l.Fields[demo] == "yes" && t(l.Fields[title])).Average(l => l.TrueProbability);
        var senior = Rate(t => t.StartsWith("VP", StringComparison.Ordinal) || t.StartsWith("Chief", StringComparison.Ordinal));
        var student = Rate(t => t.Contains("Student", StringComparison.Ordinal));
        Assert.True(senior > 3 * student, $"senior {senior:F3} vs student {student:F3}");
    }
}
