using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace LeadPropensity.Serving.Tests;

/// <summary>The service in memory over a given registry, with three test keys (one per role) and generous limits.</summary>
public sealed class ServingFactory(string modelsPath, IDictionary<string, string?>? settings = null, string environment = "Testing", bool withKeys = true)
    : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key", ScorerKey = "test-scorer-key", AnalystKey = "test-analyst-key";

    public string ModelsPath { get; } = modelsPath;

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        var all = new Dictionary<string, string?>
        {
            ["Models:Path"] = ModelsPath,
            ["Models:PollInterval"] = "00:00:00.200",
            ["Rules:Path"] = RepoPaths.Repo("rules.json"),
            ["RateLimit:TokenLimit"] = "100000",
            ["RateLimit:TokensPerPeriod"] = "100000",
            // Each server gets its own SQLite state file unless a test names a store.
            ["State:Provider"] = "Sqlite",
            ["State:ConnectionString"] = $"Data Source={Path.Combine(RepoPaths.TempDir("lp-state"), "state.db")}",
        };
        if (withKeys)
        {
            var keys = new[] { ("admin", AdminKey, "admin"), ("scorer", ScorerKey, "scorer"), ("analyst", AnalystKey, "analyst") };
            for (var i = 0; i < keys.Length; i++)
            {
                all[$"Auth:Keys:{i}:Name"] = keys[i].Item1;
                all[$"Auth:Keys:{i}:Hash"] = Hash(keys[i].Item2);
                all[$"Auth:Keys:{i}:Role"] = keys[i].Item3;
            }
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        builder.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(all));
    }

    public HttpClient Client(string? key = AdminKey)
    {
        var c = CreateClient();
        if (key is not null) c.DefaultRequestHeaders.Add("X-Api-Key", key);
        return c;
    }
}

public static class Http
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient c, string url, string json) =>
        c.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostLead(this HttpClient c, IReadOnlyDictionary<string, string?> features, string url = "/predict", string leadId = "L-test") =>
        c.PostAsJsonAsync(url, new { leadId, features });

    public static async Task<JsonElement> Json(this HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A body of exactly these bytes, with this Content-Type (sent as given) and, when given, Content-Encoding.</summary>
    public static ByteArrayContent Body(byte[] bytes, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (encoding is not null) content.Headers.ContentEncoding.Add(encoding);
        return content;
    }

    /// <summary>Leads as a CSV body: the first lead's fields as the header, one row per lead, missing values empty.</summary>
    public static string LeadsCsv(IReadOnlyList<IReadOnlyDictionary<string, string?>> leads)
    {
        var headers = leads[0].Keys.ToList();
        var sb = new StringBuilder(string.Join(",", headers.Select(LeadPropensity.Core.Csv.CsvText.Escape))).Append('\n');
        foreach (var l in leads) sb.Append(string.Join(",", headers.Select(h => LeadPropensity.Core.Csv.CsvText.Escape(l[h] ?? "")))).Append('\n');
        return sb.ToString();
    }

    /// <summary>The ValidationProblem's error keys.</summary>
    public static async Task<string[]> ErrorKeys(this HttpResponseMessage r) =>
        (await r.Json()).GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
}
