using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeadPropensity.Core.Bundles;

namespace LeadPropensity.Core.Tests.Reporting;

public sealed class ReportHtmlTests(ReportFixture f) : IClassFixture<ReportFixture>
{
    private static readonly string[] Charts = ["chart-reliability", "chart-roc", "chart-gain", "chart-score-distribution", "chart-importance"];
    private static readonly string[] Tables = ["table-metrics", "table-reliability", "table-lift", "table-bands", "table-confusion", "table-importance", "table-profile"];

    [Fact]
    public void EveryChartIsAnInlineSvgThatDrawsSomething()
    {
        foreach (var id in Charts)
        {
            var figure = f.Document.GetElementById(id);
            Assert.True(figure is not null, $"figure #{id} is missing");
            Assert.Equal("figure", figure!.LocalName);
            var svg = figure.QuerySelector("svg");
            Assert.True(svg is not null, $"#{id} has no inline svg");
            var shapes = svg!.QuerySelectorAll("path, rect, polyline, polygon").Length;
            Assert.True(shapes >= 5, $"#{id} draws only {shapes} shapes");
            Assert.NotEmpty(svg.QuerySelectorAll("text"));
        }
    }

    [Fact]
    public void EveryTableHasRows()
    {
        foreach (var id in Tables)
        {
            var table = f.Document.QuerySelector($"figure#{id} table");
            Assert.True(table is not null, $"table #{id} is missing");
            Assert.NotEmpty(table!.QuerySelectorAll("tbody tr"));
        }
        Assert.Equal(3, f.Document.QuerySelectorAll("#table-bands tbody tr").Length);
    }

    [Fact]
    public void ChartClipPathIdsAreUniqueInThePage()
    {
        var ids = f.Document.QuerySelectorAll("[id]").Select(e => e.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var clipped in f.Document.QuerySelectorAll("[clip-path]"))
        {
            var target = Regex.Match(clipped.GetAttribute("clip-path")!, @"url\(#([^)]+)\)").Groups[1].Value;
            Assert.NotNull(f.Document.GetElementById(target));
        }
    }

    [Fact]
    public void HtmlHasNoExternalReference()
    {
        Assert.Empty(f.Document.QuerySelectorAll("script, link, iframe, img, object, embed"));
        foreach (var e in f.Document.All)
            foreach (var a in e.Attributes)
                if (a.LocalName is "src" or "href" or "xlink:href" or "srcset" or "action")
                    Assert.Fail($"<{e.LocalName} {a.Name}=\"{a.Value}\"> refers to something outside the file");
        Assert.DoesNotContain("http://", f.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", f.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", f.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", f.Html.Replace("url(#", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PageOpensWithTheSummary()
    {
        var firstSection = f.Document.Body!.QuerySelector("section");
        Assert.Equal("summary", firstSection!.Id);
        var all = f.Document.All.ToList();
        Assert.True(all.IndexOf(firstSection) < all.IndexOf(f.Document.QuerySelector("figure")!), "the summary must come before any chart or table");
        Assert.Contains("Leads scored", firstSection.TextContent);
    }

    [Fact]
    public void SummaryNumbersEqualReportJson()
    {
        var root = f.Json.RootElement;
        var items = f.Document.QuerySelectorAll("#summary li[data-key]");
        var facts = root.GetProperty("summary").EnumerateArray().ToList();
        Assert.Equal(facts.Count, items.Length);
        for (var i = 0; i < facts.Count; i++)
        {
            Assert.Equal(facts[i].GetProperty("key").GetString(), items[i].GetAttribute("data-key"));
            Assert.Equal(Number(facts[i].GetProperty("value")), Parse(items[i].GetAttribute("data-value")!));
            Assert.Equal(facts[i].GetProperty("text").GetString(), items[i].TextContent);
        }
        var metrics = root.GetProperty("metrics");
        Assert.Equal(Number(metrics.GetProperty("rocAuc")), Value("auc"));
        Assert.Equal(Number(metrics.GetProperty("baseRate")), Value("base-rate"));
        Assert.Equal(Number(metrics.GetProperty("eceEqualWidth")), Value("ece"));
        Assert.Equal(root.GetProperty("warnings").GetArrayLength(), Value("warnings"));
        Assert.Contains(Math.Round(Value("auc") * 100).ToString(CultureInfo.InvariantCulture) + "%", Item("auc").TextContent);
        var bands = root.GetProperty("bands").EnumerateArray().ToList();
        Assert.Equal(Number(bands[0].GetProperty("conversionRate")), Value("band-sql"));
        Assert.Equal(Number(bands[2].GetProperty("conversionRate")), Value("band-nurture"));
        Assert.Equal(Number(metrics.GetProperty("logLoss")), Parse(f.Document.QuerySelector("#table-metrics [data-key=log-loss]")!.GetAttribute("data-value")!));
        Assert.Equal(Number(metrics.GetProperty("murphy").GetProperty("resolution")), Parse(f.Document.QuerySelector("#table-metrics [data-key=brier-resolution]")!.GetAttribute("data-value")!));
    }

    [Fact]
    public void BinSentencesQuoteOnlyBinsWithEnoughLeadsAndTheirOwnNumbers()
    {
        var bins = f.Json.RootElement.GetProperty("metrics").GetProperty("reliability").EnumerateArray().ToList();
        var quoted = f.Document.QuerySelectorAll("#summary li[data-key^='bin-']").ToList();
        Assert.Equal(bins.Count(b => b.GetProperty("count").GetInt32() >= 30), quoted.Count);
        Assert.NotEmpty(quoted);
        foreach (var li in quoted)
        {
            var m = Regex.Match(li.GetAttribute("data-key")!, @"^bin-(\d+)-(\d+)$");
            var bin = bins.Single(b => Math.Round(b.GetProperty("lower").GetDouble() * 100) == int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            var rate = bin.GetProperty("observedRate").GetDouble();
            Assert.Equal(rate, Parse(li.GetAttribute("data-value")!));
            Assert.StartsWith($"Leads scored {m.Groups[1].Value}–{m.Groups[2].Value} bought {Math.Round(rate * 100):F0}% of the time (n = {bin.GetProperty("count").GetInt32()}", li.TextContent);
        }
    }

    [Fact]
    public void SummaryStatesTheCalibrationChoiceAndWhy()
    {
        var text = Item("ece").TextContent;
        Assert.Contains(f.Manifest.Calibration.Why, text);
        Assert.Contains(f.Manifest.Calibration.Method == "platt" ? "Platt" : "isotonic", text);
    }

    private AngleSharp.Dom.IElement Item(string key) => f.Document.QuerySelector($"#summary li[data-key='{key}']") ?? throw new Xunit.Sdk.XunitException($"no summary item {key}");
    private double Value(string key) => Parse(Item(key).GetAttribute("data-value")!);
    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String ? Parse(e.GetString()!) : e.GetDouble();
}
