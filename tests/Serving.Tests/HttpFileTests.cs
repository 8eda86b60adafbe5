using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// src/Serving/LeadPropensity.Serving.http is the CRM developer's first try of every route: each request in it is sent,
/// in order, to a service with the bench echo on, and must succeed; and every route the service maps must have one.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class HttpFileTests(ModelFixture fx)
{
    private static readonly string FilePath = RepoPaths.Repo("src", "Serving", "LeadPropensity.Serving.http");

    private sealed record HttpRequestText(string Name, string Method, string Url, List<(string Name, string Value)> Headers, string? Body);

    [Fact]
    public async Task EveryRequestInTheHttpFileSucceeds()
    {
        var file = Parse(File.ReadAllText(FilePath), out var variables);
        Assert.True(file.Count >= 20, $"only {file.Count} requests");
        // The bundled model (the file promotes it by name and reads its report), in a copy: promoting rewrites champion.
        var registry = RepoPaths.TempDir("lp-http-models");
        foreach (var from in Directory.GetFiles(RepoPaths.Repo("models"), "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(registry, Path.GetRelativePath(RepoPaths.Repo("models"), from));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }
        using var f = new ServingFactory(registry, new Dictionary<string, string?> { ["Bench:Echo"] = "true" });
        var client = f.CreateClient();
        // The file's host and key are the quick start's: here the test server's, and its admin key.
        variables["host"] = client.BaseAddress!.ToString().TrimEnd('/');
        variables["key"] = ServingFactory.AdminKey;
        foreach (var r in file)
        {
            var request = new HttpRequestMessage(new HttpMethod(r.Method), Substitute(r.Url, variables));
            string? contentType = null;
            foreach (var (name, value) in r.Headers)
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;
                else request.Headers.Add(name, Substitute(value, variables));
            if (r.Body is not null)
            {
                var body = r.Body.StartsWith("< ", StringComparison.Ordinal)
                    ? File.ReadAllText(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(FilePath)!, r.Body[2..].Trim())))
                    : r.Body;
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = contentType is null ? null : new(contentType);
            }
            var answer = await client.SendAsync(request);
            Assert.True(answer.IsSuccessStatusCode, $"'{r.Name}' ({r.Method} {r.Url}): {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public void EveryMappedRouteHasARequestInTheHttpFile()
    {
        var file = Parse(File.ReadAllText(FilePath), out _);
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Bench:Echo"] = "true" });
        _ = f.CreateClient();
        var routes = f.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.Trim('/'))))
            .Where(r => !r.Pattern.StartsWith("/swagger", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.Contains(routes, r => r.Pattern == "/bench/echo");
        foreach (var (method, pattern) in routes)
        {
            var shape = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Replace(
                System.Text.RegularExpressions.Regex.Escape(pattern), @"\\\{[^}]+}", "[^/]+") + "$");
            Assert.True(file.Any(r => r.Method == method && shape.IsMatch(PathOf(r.Url))), $"{method} {pattern} has no request in the .http file");
        }
    }

    [Fact]
    public void TheVersionTheHttpFilePromotesIsTheBundledModel()
    {
        Parse(File.ReadAllText(FilePath), out var variables);
        Assert.True(Directory.Exists(RepoPaths.Repo("models", variables["version"])), $"models/{variables["version"]} does not exist");
    }

    private static string PathOf(string url)
    {
        var path = url.Replace("{{host}}", "", StringComparison.Ordinal);
        var q = path.IndexOf('?');
        return q < 0 ? path : path[..q];
    }

    private static string Substitute(string text, Dictionary<string, string> variables) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\{\{(\w+)\}\}", m => variables[m.Groups[1].Value]);

    /// <summary>The .http format as editors read it: @name = value variables, "###" separating requests, then the request line, headers, a blank line and the body.</summary>
    private static List<HttpRequestText> Parse(string text, out Dictionary<string, string> variables)
    {
        variables = [];
        var requests = new List<HttpRequestText>();
        var blocks = System.Text.RegularExpressions.Regex.Split(text.Replace("\r\n", "\n"), @"^###", System.Text.RegularExpressions.RegexOptions.Multiline);
        foreach (var line in blocks[0].Split('\n'))
            if (System.Text.RegularExpressions.Regex.Match(line, @"^@(\w+)\s*=\s*(.*)$") is { Success: true } m) variables[m.Groups[1].Value] = m.Groups[2].Value.Trim();
        foreach (var block in blocks.Skip(1))
        {
            var lines = block.Split('\n');
            var name = lines[0].Trim();
            var i = 1;
            while (i < lines.Length && (lines[i].Trim().Length == 0 || lines[i].TrimStart().StartsWith('#'))) i++;
            if (i == lines.Length) continue;
            var requestLine = lines[i++].Trim().Split(' ', 2);
            var headers = new List<(string, string)>();
            for (; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':');
                headers.Add((lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
            }
            var body = string.Join('\n', lines.Skip(i)).Trim();
            requests.Add(new HttpRequestText(name, requestLine[0], requestLine[1], headers, body.Length == 0 ? null : body));
        }
        return requests;
    }
}
