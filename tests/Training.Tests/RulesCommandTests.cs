using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Training.Tests;

[Collection(CommandCollection.Name)]
public class RulesCommandTests(CommandFixture f)
{
    private static readonly RuleSet Rules = RuleSet.Load(RepoPaths.Repo("rules.json"));

    [Fact]
    public void RulesAndModelAreJudgedOnTheSameRows()
    {
        var bundle = ModelBundle.Load(Path.Combine(f.Registry, f.First));
        var r = RulesComparison.Evaluate(Rules, bundle.Schema, f.Fresh, bundle);
        Assert.Equal(1500, r.Rows);
        Assert.InRange(r.Rules.RocAuc, 0.7, 0.9);
        Assert.InRange(r.Model!.RocAuc, 0.7, 0.92);
        Assert.Equal(r.Rows, r.Rules.Bands.Sum(b => b.Count));
        Assert.Equal(r.Rows, r.Model.Bands.Sum(b => b.Count));
        Assert.Equal(r.Positives, r.Rules.Bands.Sum(b => b.Won));
        // Disqualifiers apply on top of the model, so both engines disqualify the same leads.
        Assert.Equal(r.Rules.Bands.Single(b => b.Band == "Disqualified").Count, r.Model.Bands.Single(b => b.Band == "Disqualified").Count);
        var sql = r.Rules.Bands.Single(b => b.Band == "SQL");
        var nurture = r.Rules.Bands.Single(b => b.Band == "Nurture");
        Assert.True(sql.Rate > 2 * nurture.Rate);
        Assert.True(sql.Low <= sql.Rate && sql.Rate <= sql.High);
    }

    [Fact]
    public void RulesEvaluateCommandRuns()
    {
        Assert.Equal(0, CommandFixture.Run("rules", "evaluate", "--data", f.Fresh, "--models", f.Registry, "--model", f.First, "--rules", RepoPaths.Repo("rules.json")));
        Assert.Equal(2, CommandFixture.Run("rules", "evaluate", "--data", f.Fresh, "--models", Path.Combine(RepoPaths.TempDir(), "none"), "--rules", RepoPaths.Repo("rules.json")));
    }

    [Fact]
    public void ScoreWithTheRulesEngineGivesRuleBands()
    {
        var out_ = Path.Combine(RepoPaths.TempDir(), "rules-scored.csv");
        Assert.Equal(0, CommandFixture.Run("score", "--engine", "rules", "--rules", RepoPaths.Repo("rules.json"), "--data", f.Fresh, "--out", out_, "--reasons"));
        var t = CsvTable.Load(out_);
        Assert.Equal(1500, t.Rows.Count);
        Assert.Equal("lead_id", t.Headers[0]);
        var fresh = CsvTable.Load(f.Fresh);
        for (var i = 0; i < 20; i++)
        {
            var lead = fresh.Headers.Select((h, k) => (h, v: fresh.Rows[i][k])).ToDictionary(x => x.h, x => (string?)x.v);
            Assert.Equal(Rules.Evaluate(lead).Band, t.Rows[i][3]);
            Assert.Equal("", t.Rows[i][1]);
        }
    }
}
