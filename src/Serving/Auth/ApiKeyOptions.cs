using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Auth;

/// <summary>Auth: the API keys the service accepts, each stored only as the SHA-256 hex of the key.</summary>
public sealed class ApiKeyOptions
{
    public List<ApiKeyEntry> Keys { get; set; } = [];
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";
    /// <summary>SHA-256 of the key's UTF-8 bytes, 64 hex digits: <c>printf %s "$KEY" | sha256sum</c>.</summary>
    public string Hash { get; set; } = "";
    public string Role { get; set; } = "";
}

/// <summary>The three roles; admin may do everything.</summary>
public static class Roles
{
    public const string Scorer = "scorer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";
    public static readonly string[] All = [Scorer, Analyst, Admin];
}

/// <summary>Checks keys on start: well-formed hashes, known roles, unique names, and at least one key in Production.</summary>
public sealed class ApiKeyOptionsValidator(IHostEnvironment env) : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var problems = new List<string>();
        if (options.Keys.Count == 0 && env.IsProduction())
            problems.Add("no API keys are configured. In Production the service refuses to start without them: set Auth__Keys__0__Name, " +
                         "Auth__Keys__0__Hash (the SHA-256 hex of the key: printf %s \"$KEY\" | sha256sum) and Auth__Keys__0__Role (scorer, analyst or admin)");
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var k = options.Keys[i];
            var where = $"Auth:Keys:{i}";
            if (string.IsNullOrWhiteSpace(k.Name)) problems.Add($"{where}:Name is empty");
            if (k.Hash.Length != 64 || !k.Hash.All(Uri.IsHexDigit)) problems.Add($"{where}:Hash must be the 64 hex digits of a SHA-256 hash");
            if (!Roles.All.Contains(k.Role)) problems.Add($"{where}:Role '{k.Role}' is not one of {string.Join(", ", Roles.All)}");
        }
        foreach (var dup in options.Keys.GroupBy(k => k.Name).Where(g => g.Count() > 1))
            problems.Add($"Auth:Keys: the name '{dup.Key}' is used by {dup.Count()} keys (rate limits are per name)");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
