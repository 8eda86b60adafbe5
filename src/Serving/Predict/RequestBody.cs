using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace LeadPropensity.Serving.Predict;

/// <summary>A request body read into a pooled buffer; dispose to return it.</summary>
public sealed class BodyBytes(byte[] buffer, int start, int length) : IDisposable
{
    public ReadOnlySpan<byte> Span => buffer.AsSpan(start, length);
    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(start, length);
    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}

/// <summary>
/// Reads a JSON body up to a limit, so a too-large body is a 413 whatever the server (Kestrel enforces its own limit;
/// the in-memory test server does not). The body comes out as UTF-8 without a byte order mark: a body declared in
/// another charset (e.g. <c>application/json; charset=iso-8859-1</c>) is converted, and a gzip, Brotli or deflate
/// body has already been decompressed by the pipeline (UseRequestDecompression; the limit applies to what it gives).
/// </summary>
public static class RequestBody
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The body, or null when it is larger than <paramref name="max"/> bytes. A charset or content coding the service
    /// cannot read is a <see cref="BadHttpRequestException"/> with status 415, answered as ProblemDetails naming it.
    /// </summary>
    public static async Task<BodyBytes?> ReadAsync(HttpRequest request, long max, CancellationToken ct)
    {
        var encoding = Decoding(request);
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
        if (encoding is not null) return Transcode(buffer, length, encoding, max);
        var start = buffer.AsSpan(0, length).StartsWith(Bom) ? Bom.Length : 0;
        return new BodyBytes(buffer, start, length - start);
    }

    /// <summary>
    /// How the body's bytes are to be read: the encoding its Content-Type's charset names when that is not UTF-8 (or its
    /// subset ASCII), else null. A content coding the decompression middleware left in place (one it does not know) or a
    /// charset the service cannot read is a <see cref="BadHttpRequestException"/> with status 415 naming it.
    /// </summary>
    public static System.Text.Encoding? Decoding(HttpRequest request)
    {
        // The decompression middleware removes the header of a coding it undid; one left here is one it does not know.
        if (request.Headers.ContentEncoding is { Count: > 0 } coding && !string.Equals(coding.ToString(), "identity", StringComparison.OrdinalIgnoreCase))
            throw new BadHttpRequestException(
                $"the body's Content-Encoding '{coding}' is not supported: send it uncompressed, or as gzip, br or deflate", StatusCodes.Status415UnsupportedMediaType);
        return Charset(request);
    }

    /// <summary>
    /// True for what a decompression stream throws on bytes that are not the coding the request declared (gzip and
    /// deflate: InvalidDataException; Brotli: InvalidOperationException), told apart from other failures by where it came from.
    /// </summary>
    public static bool IsUndecodable(Exception e) =>
        e is InvalidDataException or InvalidOperationException && e.Source?.StartsWith("System.IO.Compression", StringComparison.Ordinal) == true;

    /// <summary>The caller's mistake a failed decompression is: a 400 naming the header whose promise the body broke.</summary>
    public static BadHttpRequestException Undecodable(Exception e) =>
        new($"the body is not valid data of the Content-Encoding it was sent with ({e.Message})", StatusCodes.Status400BadRequest, e);

    /// <summary>The encoding a Content-Type's charset names when it is not UTF-8 (or its subset ASCII), else null.</summary>
    private static System.Text.Encoding? Charset(HttpRequest request)
    {
        if (request.ContentType is not { } type || !type.Contains("charset", StringComparison.OrdinalIgnoreCase)) return null;
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media) || media.Charset.Value is not { Length: > 0 } name) return null;
        var charset = name.Trim('"');
        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase) ||
            charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)) return null;
        // GetEncoding refuses an unknown name (ArgumentException) and a known one .NET will not decode, such as UTF-7
        // (NotSupportedException).
        try { return System.Text.Encoding.GetEncoding(charset); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new BadHttpRequestException($"the charset '{charset}' in Content-Type is not one the service can read: send UTF-8", StatusCodes.Status415UnsupportedMediaType);
        }
    }

    /// <summary>The body as UTF-8, from the charset it was declared in; null when the UTF-8 text is over the limit.</summary>
    private static BodyBytes? Transcode(byte[] buffer, int length, System.Text.Encoding from, long max)
    {
        try
        {
            var text = from.GetString(buffer, 0, length);
            if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
            var utf8 = System.Text.Encoding.UTF8.GetByteCount(text);
            if (utf8 > max) return null;
            var converted = ArrayPool<byte>.Shared.Rent(utf8);
            return new BodyBytes(converted, 0, System.Text.Encoding.UTF8.GetBytes(text, converted));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
