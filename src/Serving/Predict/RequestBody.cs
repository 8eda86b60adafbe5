using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace LeadPropensity.Serving.Predict;

/// <summary>A request body read into a pooled buffer; dispose to return it.</summary>
public sealed class BodyBytes(byte[] buffer, int length) : IDisposable
{
    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);
    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);
    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}

/// <summary>
/// Reads a JSON body up to a limit, so a too-large body is a 413 whatever the server (Kestrel enforces its own limit;
/// the in-memory test server does not).
/// </summary>
public static class RequestBody
{
    /// <summary>The body, or null when it is larger than <paramref name="max"/> bytes.</summary>
    public static async Task<BodyBytes?> ReadAsync(HttpRequest request, long max, CancellationToken ct)
    {
        if (request.ContentLength > max) return null;
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false } && (size.MaxRequestBodySize is null || size.MaxRequestBodySize > max)) size.MaxRequestBodySize = max;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, max) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (n == 0) break;
                length += n;
                if (length > max) { ArrayPool<byte>.Shared.Return(buffer); return null; }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return new BodyBytes(buffer, length);
    }
}
