using System.Globalization;
using System.Net;
using System.Text;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class CsvBatchTests(ModelFixture fx)
{
    private static async Task<(HttpResponseMessage R, List<string[]> Rows, IReadOnlyList<string> Headers)> Post(HttpClient c, string csv, string url = "/predict/batch")
    {
        var r = await c.PostAsync(url, new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.OK) return (r, [], []);
        using var reader = CsvTableReader.FromString(text);
        return (r, reader.ReadAll().Select(x => x.Values).ToList(), reader.Headers);
    }

    [Fact]
    public async Task CsvInCsvOutRoundTripMatchesSinglePredictionsAndReportsBadRowsInPlace()
    {
        var leads = fx.Leads.Take(40).Select(l => new Dictionary<string, string?>(l)).ToList();
        leads[10]["website_visits_30d"] = "lots";
        leads[20]["job_title"] = "Student of Law";
        var c = fx.Standard.Client(ServingFactory.ScorerKey);
        var (r, rows, headers) = await Post(c, Http.LeadsCsv(leads));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/csv", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["lead_id", "probability", "score", "band", "error"], headers);
        Assert.Equal(40, rows.Count);
        Assert.Equal(leads.Select(l => l["lead_id"]), rows.Select(x => x[0]));
        Assert.Equal("error", rows[10][3]);
        Assert.Contains("website_visits_30d", rows[10][4]);
        Assert.Equal("Disqualified", rows[20][3]);
        foreach (var i in new[] { 0, 5, 39 })
        {
            var one = await (await c.PostLead(leads[i])).Json();
            Assert.Equal(one.GetProperty("probability").GetDouble(), double.Parse(rows[i][1], CultureInfo.InvariantCulture), 5);
            Assert.Equal(one.GetProperty("band").GetString(), rows[i][3]);
            Assert.Equal("", rows[i][4]);
        }
    }

    [Fact]
    public async Task CsvWithoutAModelColumnIsA400NamingIt()
    {
        var leads = fx.Leads.Take(3).Select(l => l.Where(p => p.Key != "job_title").ToDictionary()).ToList();
        var r = await fx.Standard.Client().PostAsync("/predict/batch", new StringContent(Http.LeadsCsv(leads), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("columns.job_title", await r.ErrorKeys());
    }

    [Fact]
    public async Task CsvIsScoredByTheRulesWhenAskedOrWhenNoModelIsLoaded()
    {
        var rules = RuleSet.Load(RepoPaths.Repo("rules.json"));
        var leads = fx.Leads.Take(10).ToList();
        using var f = new ServingFactory(fx.Registry());
        foreach (var (client, url) in new[] { (f.Client(), "/predict/batch"), (fx.Standard.Client(), "/predict/batch?engine=rules") })
        {
            var (r, rows, _) = await Post(client, Http.LeadsCsv(leads), url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(10, rows.Count);
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal("", rows[i][1]);
                Assert.Equal(rules.Evaluate(leads[i]).Band, rows[i][3]);
            }
        }
    }

    [Fact]
    public async Task CsvLargerThanTheJsonBodyLimitIsStreamed()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Predict:MaxBatchBodyBytes"] = "4096", ["Predict:MaxBodyBytes"] = "4096" });
        var leads = Enumerable.Range(0, 30).SelectMany(_ => fx.Leads.Take(100)).ToList();
        var csv = Http.LeadsCsv(leads);
        Assert.True(csv.Length > 100_000);
        var (r, rows, _) = await Post(f.Client(), csv);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(3000, rows.Count);
        Assert.DoesNotContain(rows, x => x[3] == "error");
    }
}
