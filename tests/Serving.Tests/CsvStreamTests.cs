using System.IO.Compression;
using System.Net;
using System.Text;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.Scoring;
using Microsoft.Extensions.DependencyInjection;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// What a CSV batch and the other body routes do with bodies that are not what they say they are, and with rows the
/// model or the log cannot take: every input row is accounted for, and nothing the caller sent is a 500 or a cut stream.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class CsvStreamTests(ModelFixture fx)
{
    private static byte[] Gzip(byte[] plain)
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        return packed.ToArray();
    }

    private static async Task<List<string[]>> Rows(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var reader = CsvTableReader.FromString(await r.Content.ReadAsStringAsync());
        return reader.ReadAll().Select(x => x.Values).ToList();
    }

    /// <summary>The bundled model: its linear part meets a lead at the edge of what a float holds with an infinity of each sign.</summary>
    private static readonly Lazy<ModelBundle> Shipped = new(() => ModelBundle.Load(new ModelRegistry(RepoPaths.Repo("models")).Resolve("champion")));

    /// <summary>A sample lead with every numeric field at the edge of what a float holds: the bundled model cannot score it.</summary>
    private Dictionary<string, string?> Extreme()
    {
        var lead = new Dictionary<string, string?>(fx.Leads[1]);
        foreach (var c in Shipped.Value.Schema.FeatureColumns.Where(c => c.Type == ColumnType.Numeric)) lead[c.Name] = "3.4e38";
        return lead;
    }

    [Fact]
    public async Task ARowTheModelCannotScoreIsAnErrorRowAndTheRowsAfterItAreScored()
    {
        var extreme = Extreme();
        var bundle = Shipped.Value;
        // The premise: scored in process, this lead's probability is not a number (else this test would prove nothing).
        var x = new float[bundle.Plan.Width];
        var values = bundle.Fields.Select(f => extreme.GetValueOrDefault(f)).ToArray();
        Assert.True(bundle.Plan.Encode(values, x, []));
        Assert.False(double.IsFinite(bundle.Score(x, values).Probability));

        // The bundled registry is only read here.
        using var f = new ServingFactory(RepoPaths.Repo("models"));
        var leads = new List<IReadOnlyDictionary<string, string?>> { fx.Leads[0], extreme, fx.Leads[2], fx.Leads[3] };
        var rows = await Rows(await f.Client().PostAsync("/predict/batch", new StringContent(Http.LeadsCsv(leads), Encoding.UTF8, "text/csv")));
        Assert.Equal(4, rows.Count);
        Assert.Equal("error", rows[1][3]);
        Assert.Contains("non-finite", rows[1][4]);
        Assert.Contains("line 3", rows[1][4]);
        foreach (var i in new[] { 0, 2, 3 })
        {
            Assert.Equal(leads[i]["lead_id"], rows[i][0]);
            Assert.NotEqual("error", rows[i][3]);
        }
        // As JSON, the same lead is answered by the rules, with the reason in its warnings.
        var one = await (await f.Client().PostLead(extreme)).Json();
        Assert.Equal("rules", one.GetProperty("source").GetString());
        Assert.Contains(one.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("non-finite"));
    }

    [Fact]
    public async Task ACsvLeadIdNoOtherRouteTakesIsAnErrorRowNamingTheIdColumn()
    {
        var leads = fx.Leads.Take(4).Select(l => new Dictionary<string, string?>(l)).ToList();
        leads[1]["lead_id"] = new string('L', LeadIds.MaxLength + 1);
        leads[2]["lead_id"] = "L-\u0001-bell";
        foreach (var url in new[] { "/predict/batch", "/predict/batch?engine=rules" })
        {
            var rows = await Rows(await fx.Standard.Client().PostAsync(url, new StringContent(Http.LeadsCsv(leads), Encoding.UTF8, "text/csv")));
            Assert.Equal(4, rows.Count);
            Assert.Equal(["3", "4"], new[] { rows[1][0], rows[2][0] });
            Assert.Equal("error", rows[1][3]);
            Assert.Contains($"lead_id: not a lead id: longer than {LeadIds.MaxLength} characters", rows[1][^1]);
            Assert.Equal("error", rows[2][3]);
            Assert.Contains("control character (U+0001", rows[2][^1]);
            Assert.Equal(leads[3]["lead_id"], rows[3][0]);
            Assert.NotEqual("error", rows[3][3]);
        }
    }

    [Fact]
    public async Task ACsvInADeclaredCharsetIsReadAsThatCharsetAndAnUnknownOneIsA415()
    {
        var leads = fx.Leads.Take(2).Select(l => new Dictionary<string, string?>(l)).ToList();
        leads[0]["lead_id"] = "L-CAFÉ";
        var latin1 = Encoding.Latin1.GetBytes(Http.LeadsCsv(leads));
        Assert.Contains((byte)0xC9, latin1);
        var rows = await Rows(await fx.Standard.Client().PostAsync("/predict/batch", Http.Body(latin1, "text/csv; charset=iso-8859-1")));
        Assert.Equal("L-CAFÉ", rows[0][0]);

        var unknown = await fx.Standard.Client().PostAsync("/predict/batch", Http.Body(latin1, "text/csv; charset=x-klingon"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown.StatusCode);
        Assert.Contains("x-klingon", (await unknown.Json()).GetProperty("detail").GetString());

        var coding = await fx.Standard.Client().PostAsync("/predict/batch", Http.Body(latin1, "text/csv", "zstd"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, coding.StatusCode);
        Assert.Contains("zstd", (await coding.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AGzipCsvIsScoredWhateverItsUnpackedSize()
    {
        // The JSON batch limit is 4 KiB here; unpacked, the CSV is far larger, as a real file sent gzipped would be.
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Predict:MaxBatchBodyBytes"] = "4096", ["Predict:MaxBodyBytes"] = "4096" });
        // On Kestrel, whose request size limit (set from those two) the in-memory test server does not have.
        f.UseKestrel(0);
        f.StartServer();
        var leads = Enumerable.Range(0, 5).SelectMany(_ => fx.Leads.Take(100)).ToList();
        var plain = Encoding.UTF8.GetBytes(Http.LeadsCsv(leads));
        Assert.True(plain.Length > 50_000);
        var rows = await Rows(await f.Client().PostAsync("/predict/batch", Http.Body(Gzip(plain), "text/csv", "gzip")));
        Assert.Equal(500, rows.Count);
        Assert.DoesNotContain(rows, r => r[3] == "error");

        // A JSON batch keeps its limit on what it unpacks to.
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(fx.Leads.Take(20).Select(l => new { leadId = l["lead_id"], features = l })));
        var tooLarge = await f.Client().PostAsync("/predict/batch", Http.Body(Gzip(json), "application/json", "gzip"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Theory]
    [InlineData("/predict", "application/json", "gzip")]
    [InlineData("/predict", "application/json", "br")]
    [InlineData("/predict", "application/json", "deflate")]
    [InlineData("/predict/batch", "application/json", "gzip")]
    [InlineData("/predict/batch", "text/csv", "gzip")]
    [InlineData("/predict/batch", "text/csv", "br")]
    [InlineData("/outcomes", "application/json", "gzip")]
    [InlineData("/bands/simulate", "application/json", "deflate")]
    public async Task ABodyThatIsNotTheCodingItClaimsIsA400(string route, string contentType, string coding)
    {
        var r = await fx.Standard.Client(ServingFactory.AdminKey).PostAsync(route, Http.Body(Encoding.UTF8.GetBytes("this is not compressed at all, not even a little"), contentType, coding));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("Content-Encoding", (await r.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ACharsetDotNetWillNotDecodeIsA415()
    {
        var r = await fx.Standard.Client().PostAsync("/predict", Http.Body(Encoding.UTF8.GetBytes("""{"features":{}}"""), "application/json; charset=utf-7"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        Assert.Contains("utf-7", (await r.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task CsvStreamsBeyondTheLimitAreA429UntilOneEnds()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Predict:MaxConcurrentCsvStreams"] = "1" });
        var csv = Encoding.UTF8.GetBytes(Http.LeadsCsv(fx.Leads.Take(3).ToList()));
        var streams = f.Services.GetRequiredService<LeadPropensity.Serving.Predict.CsvStreams>();
        Assert.Equal(3, (await Rows(await f.Client().PostAsync("/predict/batch", Http.Body(csv, "text/csv")))).Count);
        // A stream gives its place back when it ends, also one that ends in a 400 before its first row.
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Client().PostAsync("/predict/batch", Http.Body("lead_id\nL-1\n"u8.ToArray(), "text/csv"))).StatusCode);
        Assert.Equal(0, streams.Running);

        // The only place is taken (as by a stream still being uploaded): the next one is told to come back later.
        Assert.True(streams.TryEnter());
        var refused = await f.Client().PostAsync("/predict/batch", Http.Body(csv, "text/csv"));
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains("MaxConcurrentCsvStreams", (await refused.Json()).GetProperty("detail").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        // JSON batches do not queue behind CSV streams.
        Assert.Equal(HttpStatusCode.OK, (await f.Client().PostJson("/predict/batch", $"[{{\"features\":{System.Text.Json.JsonSerializer.Serialize(fx.Leads[0])}}}]")).StatusCode);
        streams.Exit();
        Assert.Equal(3, (await Rows(await f.Client().PostAsync("/predict/batch", Http.Body(csv, "text/csv")))).Count);
        Assert.Equal(0, streams.Running);
    }
}
