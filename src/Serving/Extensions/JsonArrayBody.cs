using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace LeadPropensity.Serving.Extensions;

/// <summary>
/// A 200 JSON array answer (with Content-Length) whose items are serialized with source-generated code in chunks on all
/// cores, then written in order: a 1,000-lead batch's answer is a megabyte of JSON, which one thread took longer to write
/// than all cores took to score it. It describes itself to OpenAPI as <c>Ok&lt;List&lt;T&gt;&gt;</c> does.
/// </summary>
public sealed class JsonArrayBody<T>(IReadOnlyList<T> items, JsonTypeInfo<T> itemInfo)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<IReadOnlyList<T>>
{
    public IReadOnlyList<T> Value => items;
    object? IValueHttpResult.Value => items;
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var chunks = (items.Count + Chunked.Size - 1) / Chunked.Size;
        var parts = new (byte[] Buffer, int Length)[chunks];
        try
        {
            Chunked.For(chunks, (from, to) =>
            {
                for (var c = from; c < to; c++) parts[c] = Serialize(c * Chunked.Size, Math.Min(items.Count, (c + 1) * Chunked.Size));
            });
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = 2 + parts.Sum(p => (long)p.Length) + Math.Max(0, chunks - 1);
            var body = response.BodyWriter;
            Write(body, "["u8);
            for (var c = 0; c < chunks; c++)
            {
                if (c > 0) Write(body, ","u8);
                Write(body, parts[c].Buffer.AsSpan(0, parts[c].Length));
            }
            Write(body, "]"u8);
            await body.FlushAsync(httpContext.RequestAborted);
        }
        finally
        {
            foreach (var (buffer, _) in parts)
                if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>Items [from, to) as JSON values separated by commas (an array's inside), in a pooled buffer.</summary>
    private (byte[] Buffer, int Length) Serialize(int from, int to)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(64 * 1024);
        scratch.ResetWrittenCount();
        var options = itemInfo.Options;
        using (var w = new Utf8JsonWriter(scratch, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented }))
        {
            // Written as an array so that the writer places the separators; the brackets are cut off below.
            w.WriteStartArray();
            for (var i = from; i < to; i++) JsonSerializer.Serialize(w, items[i], itemInfo);
            w.WriteEndArray();
        }
        var inside = scratch.WrittenSpan[1..^1];
        var buffer = ArrayPool<byte>.Shared.Rent(inside.Length);
        inside.CopyTo(buffer);
        return (buffer, inside.Length);
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(List<T>), ["application/json"]));
}
