using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c>: hashes the presented key and compares it with every configured hash in constant
/// time, so neither timing nor logs reveal a key. Challenges and refusals are ProblemDetails.
/// </summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    private readonly (string Name, string Role, byte[] Hash)[] _keys =
        keys.Value.Keys.Select(k => (k.Name, k.Role, Convert.FromHexString(k.Hash))).ToArray();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var presented) || presented.Count == 0 || string.IsNullOrEmpty(presented[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented[0]!), hash);
        var match = -1;
        // Compare against every key (no early exit) so the time taken says nothing about which key is close.
        for (var i = 0; i < _keys.Length; i++)
            if (CryptographicOperations.FixedTimeEquals(hash, _keys[i].Hash)) match = i;
        if (match < 0) return Task.FromResult(AuthenticateResult.Fail("the API key is not valid"));
        var (name, role, _) = _keys[match];
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        var presented = Request.Headers.ContainsKey(Header);
        await Write("Unauthorized", presented ? "The X-Api-Key header does not hold a valid API key."
                                              : "Send an API key in the X-Api-Key header.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirstValue(ClaimTypes.Role);
        await Write("Forbidden", $"The key's role '{role}' may not use {Request.Method} {Request.Path}.");
    }

    private async Task Write(string title, string detail)
    {
        var ok = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = Response.StatusCode, Title = title, Detail = detail },
        });
        if (!ok) await Response.WriteAsync(detail);
    }
}
