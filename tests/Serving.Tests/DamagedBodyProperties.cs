using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// Whatever a caller sends is the caller's doing: a valid body for each route that takes one, damaged at the byte level
/// (spans cut, repeated or swapped for JSON and CSV punctuation, huge or non-finite numbers, unpaired surrogates, NULs and
/// bytes that are not UTF-8), is answered with a 2xx or a 4xx ProblemDetails, never a 500.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class DamagedBodyProperties(ModelFixture fx)
{
    private static readonly string[] Snippets =
    [
        "{", "}", "[", "]", "\"", "\\", ":", ",", "null", "true", "1e999", "-1e-999", "NaN", "\"\\ud800\"", "\\u0000", "\u0000",
        "\"features\":", "\"leadId\":", "{\"a\":{}}", "[[[[", "\n", "\r\n", "é", "💥", "\"\"", "0x1F", "99999999999999999999",
    ];

    private static readonly byte[][] RawBytes = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF]];

    // A service of its own: a damaged PUT /bands can still be a valid one, and must not move the shared service's cutoffs.
    private static ServingFactory? _service;
    private ServingFactory Service
    {
        get
        {
            if (Volatile.Read(ref _service) is { } s) return s;
            var made = new ServingFactory(fx.Registry(fx.V1, champion: fx.V1));
            if (Interlocked.CompareExchange(ref _service, made, null) is null) return fx.Own(made);
            made.Dispose();
            return _service!;
        }
    }

    private (string Method, string Route, string ContentType, byte[] Body)[] Targets()
    {
        var lead = System.Text.Json.JsonSerializer.Serialize(new { leadId = "L-1", features = fx.Leads[0] });
        var batch = System.Text.Json.JsonSerializer.Serialize(fx.Leads.Take(3).Select((l, i) => new { leadId = $"L-{i}", features = l }));
        return
        [
            ("POST", "/predict", "application/json", Encoding.UTF8.GetBytes(lead)),
            ("POST", "/predict/batch", "application/json", Encoding.UTF8.GetBytes(batch)),
            ("POST", "/predict/batch", "text/csv", Encoding.UTF8.GetBytes(Http.LeadsCsv(fx.Leads.Take(3).ToList()))),
            ("POST", "/outcomes", "application/json", Encoding.UTF8.GetBytes("""[{"leadId":"L-1","outcome":"won","at":"2025-02-01T10:00:00Z"}]""")),
            ("POST", "/bands/simulate", "application/json", Encoding.UTF8.GetBytes("""{"mql":0.15,"sql":0.45,"targetPrecision":0.5,"topPercent":10}""")),
            ("PUT", "/bands", "application/json", Encoding.UTF8.GetBytes("""{"mql":0.15,"sql":0.45,"reason":"fuzz"}""")),
        ];
    }

    public static Arbitrary<(int Target, int Seed)> Damage() =>
        (from target in Gen.Choose(0, 5) from seed in Gen.Choose(0, int.MaxValue - 1) select (target, seed)).ToArbitrary();

    [Property(MaxTest = 400, Arbitrary = [typeof(DamagedBodyProperties)])]
    public async Task ADamagedBodyIsNeverAServerError((int Target, int Seed) damage)
    {
        var (method, route, contentType, body) = Targets()[damage.Target];
        var rng = new Random(damage.Seed);
        var damaged = Damaged(body, rng, out var what);
        var content = new ByteArrayContent(damaged);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var r = await Service.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), route) { Content = content });
        var status = (int)r.StatusCode;
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{method} {route} {contentType}, {what}: {status} {text}");
        if (status >= 400) Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    private static byte[] Damaged(byte[] body, Random rng, out string what)
    {
        var bytes = new List<byte>(body);
        var edits = new List<string>();
        for (var n = rng.Next(1, 4); n > 0; n--)
        {
            var at = rng.Next(bytes.Count + 1);
            switch (rng.Next(4))
            {
                case 0 when bytes.Count > 0:
                    var length = Math.Min(rng.Next(1, 12), bytes.Count - Math.Min(at, bytes.Count - 1));
                    at = Math.Min(at, bytes.Count - 1);
                    bytes.RemoveRange(at, length);
                    edits.Add($"cut {length} at {at}");
                    break;
                case 1:
                    var snippet = Snippets[rng.Next(Snippets.Length)];
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(snippet));
                    edits.Add($"'{snippet}' at {at}");
                    break;
                case 2:
                    var raw = RawBytes[rng.Next(RawBytes.Length)];
                    bytes.InsertRange(at, raw);
                    edits.Add($"bytes {Convert.ToHexString(raw)} at {at}");
                    break;
                default:
                    if (bytes.Count == 0) break;
                    at = Math.Min(at, bytes.Count - 1);
                    var span = bytes.GetRange(at, Math.Min(rng.Next(1, 40), bytes.Count - at));
                    bytes.InsertRange(at, span);
                    edits.Add($"{span.Count} bytes repeated at {at}");
                    break;
            }
        }
        what = string.Join(", ", edits);
        return [.. bytes];
    }
}
