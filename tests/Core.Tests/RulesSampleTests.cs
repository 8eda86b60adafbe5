using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Schema;
using Xunit.Abstractions;

namespace LeadPropensity.Core.Tests;

/// <summary>The default rules.json against the bundled sample: it loads, fits the schema and ranks buyers first.</summary>
public class RulesSampleTests(ITestOutputHelper output)
{
    private static readonly Lazy<(RuleResult[] Results, bool[] Won)> Scored = new(ScoreSample);

    private static (RuleResult[], bool[]) ScoreSample()
    {
        var rules = RuleSet.Load(RepoPaths.Repo("rules.json"));
        var table = CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv"));
        var outcome = table.RequireColumn("outcome", "label");
        var results = new RuleResult[table.Rows.Count];
        var won = new bool[table.Rows.Count];
        for (var r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            var lead = new Dictionary<string, string?>(table.Headers.Count);
            for (var c = 0; c < table.Headers.Count; c++) lead[table.Headers[c]] = row[c];
            results[r] = rules.Evaluate(lead);
            won[r] = row[outcome] == "won";
        }
        return (results, won);
    }

    [Fact]
    public void DefaultRulesLoadAndFitTheSampleSchema()
    {
        var rules = RuleSet.Load(RepoPaths.Repo("rules.json"));
        var schema = LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json"));
        Assert.Empty(rules.Validate(schema));
        Assert.Equal(60, rules.Thresholds.Sql);
        Assert.Equal(30, rules.Thresholds.Mql);
        Assert.Contains(rules.Rules, r => r.Disqualifies && r.Name == "student");
        Assert.Contains(rules.Rules, r => r.Disqualifies && r.When is AllCondition);
    }

    [Fact]
    public void RuleScoreRanksWonAboveLostBetterThanChance()
    {
        var (results, won) = Scored.Value;
        var auc = RankAuc(results.Select(r => r.Score).ToArray(), won);
        output.WriteLine($"rules AUC on the sample: {auc:F4}");
        Assert.True(auc > 0.78, $"rules AUC {auc:F4}");
    }

    [Fact]
    public void SqlLeadsConvertMoreThanMqlAndMqlMoreThanNurture()
    {
        var (results, won) = Scored.Value;
        var byBand = results.Zip(won).GroupBy(x => x.First.Band)
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Rate: g.Average(x => x.Second ? 1.0 : 0.0)));
        foreach (var (band, (count, rate)) in byBand) output.WriteLine($"{band}: {count} leads, {rate:P1} won");
        Assert.True(byBand["SQL"].Rate > byBand["MQL"].Rate);
        Assert.True(byBand["MQL"].Rate > byBand["Nurture"].Rate);
        Assert.True(byBand["Nurture"].Rate > byBand["Disqualified"].Rate);
        Assert.True(byBand["SQL"].Rate > 2 * byBand["Nurture"].Rate);
    }

    [Fact]
    public void RankAucCountsTiesAsHalf()
    {
        Assert.Equal(1.0, RankAuc([0.9, 0.8, 0.1], [true, true, false]));
        Assert.Equal(0.0, RankAuc([0.1, 0.9], [true, false]));
        Assert.Equal(0.5, RankAuc([0.5, 0.5, 0.5], [true, false, false]));
        Assert.Equal(0.875, RankAuc([0.9, 0.5, 0.5, 0.1], [true, true, false, false]), 12);
    }

    /// <summary>Mann–Whitney AUC: the chance a random won lead outscores a random lost one, ties counting half.</summary>
    internal static double RankAuc(double[] scores, bool[] positive)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++) if (positive[order[k]]) positiveRankSum += averageRank;
            start = end + 1;
        }
        double pos = positive.Count(p => p), neg = positive.Length - pos;
        return (positiveRankSum - pos * (pos + 1) / 2) / (pos * neg);
    }
}
