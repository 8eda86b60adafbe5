using System.Net;
using System.Net.Http.Json;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class PredictTests(ModelFixture fx)
{
    [Fact]
    public async Task PredictScoresALeadWithTheModelAsTheBundleDoes()
    {
        var lead = fx.Leads[1];
        var r = await fx.Standard.Client(ServingFactory.ScorerKey).PostLead(lead, leadId: "L-000002");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var j = await r.Json();
        var prepared = PreparedLead.From(fx.Bundle, lead);
        var expected = fx.Bundle.Score(prepared.Features, prepared.Values);
        var cutoffs = LeadScorer.CutoffsOf(fx.Bundle);
        Assert.Equal("L-000002", j.GetProperty("leadId").GetString());
        Assert.Equal("model", j.GetProperty("source").GetString());
        Assert.Equal(fx.V1, j.GetProperty("modelVersion").GetString());
        Assert.Equal(expected.Probability, j.GetProperty("probability").GetDouble(), 1e-6); // the API rounds to 6 decimals
        Assert.Equal(expected.Score, j.GetProperty("score").GetInt32());
        Assert.Equal(cutoffs.Assign(expected.Probability, false), j.GetProperty("band").GetString());
        Assert.Empty(j.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task PredictExplainsWithUpToThreeReasonsEachWayPerBusinessFieldWithTheValue()
    {
        var lead = fx.Leads[0];
        var j = await (await fx.Standard.Client().PostLead(lead)).Json();
        var reasons = j.GetProperty("reasons").EnumerateArray().ToList();
        var up = reasons.Where(r => r.GetProperty("effect").GetDouble() > 0).ToList();
        var down = reasons.Where(r => r.GetProperty("effect").GetDouble() < 0).ToList();
        Assert.InRange(up.Count, 1, 3);
        Assert.InRange(down.Count, 1, 3);
        foreach (var r in reasons)
        {
            var field = r.GetProperty("field").GetString()!;
            Assert.Contains(field, fx.Bundle.Fields);
            Assert.Equal(lead[field], r.GetProperty("value").GetString());
            Assert.Contains(field, r.GetProperty("text").GetString());
        }
    }

    /// <summary>
    /// The reasons are the three fields that raise and the three that lower this lead's probability most, each field's
    /// slots (one-hot levels, text words and pairs, missing indicators) summed back to it. Checked against a sum done here
    /// from the logistic model's own weights: a field's term is Σ w·(x − mean)/scale over its slots, and its effect is the
    /// probability with that term minus the probability without it.
    /// </summary>
    [Fact]
    public async Task PredictsReasonsAreTheTopThreeFieldsEachWayBySummedSlotEffects()
    {
        var b = fx.Bundle;
        var linear = Assert.IsType<LeadPropensity.Core.Modeling.LinearModel>(b.Artifact.Model);
        var slotField = b.Plan.SlotFields();
        var fields = b.Fields.ToList();
        var checkedLeads = 0;
        var c = fx.Standard.Client();
        foreach (var lead in fx.Leads.Take(60))
        {
            var j = await (await c.PostLead(lead)).Json();
            if (j.GetProperty("source").GetString() != "model") continue;
            checkedLeads++;
            var x = PreparedLead.From(b, lead).Features.ToArray();
            var term = new double[fields.Count];
            double raw = linear.Bias;
            for (var i = 0; i < x.Length; i++)
            {
                var t = (double)(linear.Weights[i] * ((x[i] - linear.Means[i]) / linear.Scales[i]));
                raw += t;
                term[fields.IndexOf(slotField[i])] += t;
            }
            var p = b.Artifact.Calibrator.Probability(raw);
            var effect = term.Select(t => Math.Abs(t) < 1e-9 ? 0 : p - b.Artifact.Calibrator.Probability(raw - t)).ToArray();
            var order = Enumerable.Range(0, fields.Count).ToList();
            var expectedUp = order.Where(f => Math.Round(effect[f], 4) > 0).OrderByDescending(f => Math.Round(effect[f], 4)).ThenBy(f => f).Take(3).ToList();
            var expectedDown = order.Where(f => Math.Round(effect[f], 4) < 0).OrderBy(f => Math.Round(effect[f], 4)).ThenBy(f => f).Take(3).ToList();

            // A disqualified lead's answer starts with the rules that disqualified it; the model's reasons follow.
            var all = j.GetProperty("reasons").EnumerateArray().ToList();
            var reasons = all.Skip(all.Count - expectedUp.Count - expectedDown.Count).ToList();
            if (j.GetProperty("band").GetString() != "Disqualified") Assert.Equal(all.Count, reasons.Count);
            var up = reasons.Take(expectedUp.Count).ToList();
            var down = reasons.Skip(expectedUp.Count).ToList();
            Assert.All(up, r => Assert.True(r.GetProperty("effect").GetDouble() > 0));
            Assert.All(down, r => Assert.True(r.GetProperty("effect").GetDouble() < 0));
            Assert.Equal(expectedUp.Select(f => fields[f]), up.Select(r => r.GetProperty("field").GetString()));
            Assert.Equal(expectedDown.Select(f => fields[f]), down.Select(r => r.GetProperty("field").GetString()));
            foreach (var r in reasons)
            {
                var field = r.GetProperty("field").GetString()!;
                Assert.Equal(effect[fields.IndexOf(field)], r.GetProperty("effect").GetDouble(), 1e-4);
                Assert.Equal(lead[field] is { } v && !b.Schema.IsMissing(v) ? v : null, r.GetProperty("value").GetString());
                Assert.Contains(r.GetProperty("effect").GetDouble() > 0 ? "raises" : "lowers", r.GetProperty("text").GetString());
            }
        }
        Assert.True(checkedLeads >= 40, $"only {checkedLeads} leads were answered by the model");
    }

    [Fact]
    public async Task PredictAcceptsNumbersAsStringsBooleansAsWordsOrDigitsAndScoresThemAlike()
    {
        var typed = new Dictionary<string, object?>
        {
            ["website_visits_30d"] = 7, ["pages_per_visit"] = 4.4, ["demo_requested"] = true, ["budget_confirmed"] = 1,
            ["job_title"] = "Sales Team Lead", ["lead_source"] = "direct", ["company_size"] = "201-1000", ["industry"] = "education",
        };
        var words = new Dictionary<string, object?>
        {
            ["website_visits_30d"] = "7", ["pages_per_visit"] = "4.4", ["demo_requested"] = "yes", ["budget_confirmed"] = "yes",
            ["job_title"] = "Sales Team Lead", ["lead_source"] = "direct", ["company_size"] = "201-1000", ["industry"] = "education",
        };
        var c = fx.Standard.Client();
        var a = await (await c.PostAsJsonAsync("/predict", new { features = typed })).Json();
        var b = await (await c.PostAsJsonAsync("/predict", new { features = words })).Json();
        Assert.Equal("model", a.GetProperty("source").GetString());
        Assert.Equal(a.GetProperty("probability").GetDouble(), b.GetProperty("probability").GetDouble());
    }

    [Fact]
    public async Task PredictScoresMissingFieldsAsMissingAndWarnsAboutThemAndAboutUnknownFields()
    {
        var lead = new Dictionary<string, string?>(fx.Leads[0]);
        lead.Remove("pages_per_visit");
        lead["country"] = "";
        lead["industry"] = null;
        lead["free_trial"] = "unknown";
        lead["favourite_colour"] = "blue";
        // Twice: the second answer's warnings come from the warning texts made for the first.
        foreach (var _ in new[] { 1, 2 })
        {
            var r = await fx.Standard.Client().PostLead(lead);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var raw = await r.Content.ReadAsByteArrayAsync();
            Assert.Equal(raw.Length, r.Content.Headers.ContentLength);
            // Readable as sent: JSON escaping only, so the quotes around a field name are not \u0027.
            Assert.Contains("\"'favourite_colour' is not a field of the served model and was ignored\"", System.Text.Encoding.UTF8.GetString(raw));
            var j = System.Text.Json.JsonDocument.Parse(raw).RootElement;
            Assert.Equal("model", j.GetProperty("source").GetString());
            var warnings = j.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
            foreach (var f in new[] { "pages_per_visit", "country", "industry", "free_trial" })
                Assert.Contains(warnings, w => w.Contains($"'{f}' is missing"));
            Assert.Contains(warnings, w => w.Contains("'favourite_colour' is not a field"));
            Assert.Equal(5, warnings.Count);
        }
    }

    [Fact]
    public async Task RuleDisqualifierOverridesTheModelBandAndSaysWhichRule()
    {
        var lead = new Dictionary<string, string?>(fx.Leads[0]) { ["job_title"] = "Student", ["demo_requested"] = "yes", ["pricing_requested"] = "yes" };
        var j = await (await fx.Standard.Client().PostLead(lead)).Json();
        Assert.Equal("model", j.GetProperty("source").GetString());
        Assert.Equal(BandNames.Default.Disqualified, j.GetProperty("band").GetString());
        Assert.True(j.GetProperty("probability").GetDouble() > 0);
        var first = j.GetProperty("reasons")[0];
        Assert.Equal("job_title", first.GetProperty("field").GetString());
        Assert.StartsWith("disqualified", first.GetProperty("text").GetString());
        Assert.Contains(j.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("'student'"));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(200)] // large enough to be scored on all cores, in chunks
    public async Task BatchScoresEachLeadLikeSinglePredict(int n)
    {
        var c = fx.Standard.Client(ServingFactory.ScorerKey);
        var leads = Enumerable.Range(0, n).Select(i => new { leadId = $"B-{i}", features = fx.Leads[i % fx.Leads.Count] }).ToList();
        var r = await c.PostAsJsonAsync("/predict/batch", leads);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        // Written chunk by chunk on the scoring cores and copied out: whole JSON, typed as such, with its exact length.
        Assert.Equal("application/json", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal((await r.Content.ReadAsByteArrayAsync()).Length, r.Content.Headers.ContentLength);
        var results = (await r.Json()).EnumerateArray().ToList();
        Assert.Equal(n, results.Count);
        for (var i = 0; i < n; i += 7)
        {
            var one = await (await c.PostLead(fx.Leads[i % fx.Leads.Count])).Json();
            Assert.Equal($"B-{i}", results[i].GetProperty("leadId").GetString());
            Assert.Equal(one.GetProperty("probability").GetDouble(), results[i].GetProperty("probability").GetDouble());
            Assert.Equal(one.GetProperty("band").GetString(), results[i].GetProperty("band").GetString());
            Assert.Equal(one.GetProperty("reasons").GetRawText(), results[i].GetProperty("reasons").GetRawText());
        }
    }
}
