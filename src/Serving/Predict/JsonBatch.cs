using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using Microsoft.AspNetCore.Http.Metadata;

namespace LeadPropensity.Serving.Predict;

/// <summary>
/// A JSON batch on all cores: its leads are read, scored and their answers written in chunks, each chunk start to end on
/// one core, so that only finding where the leads lie and copying the finished answers out are done on one thread.
/// </summary>
public static class JsonBatch
{
    /// <summary>Leads per work item (scoring is thread-safe; a batch uses one snapshot of the model).</summary>
    internal const int Chunk = 64;

    /// <summary>
    /// Reads, scores and answers a plainly formed batch in one pass on all cores: each lead is read from its own bytes
    /// (<see cref="LeadJson.LeadRanges"/>) by the core that scores it. Null when the body is not plainly formed or a lead
    /// has something to report; the caller then reads the batch in order (<see cref="LeadJson.ParseBatch"/>), whose
    /// errors say where, and scores what it read with <see cref="Score(LeadScoringService, ServedModel?, LeadInput?[], ScoringEngine)"/>.
    /// </summary>
    public static ScoredBatch? TryScore(ReadOnlyMemory<byte> body, int maxLeads, LeadScoringService scoring, ServedModel? served, ScoringEngine engine)
    {
        var ranges = LeadJson.LeadRanges(body.Span, maxLeads);
        if (ranges is null) return null;
        var batch = Score(scoring, served, ranges.Count, i => LeadJson.TryParseLead(body.Span[ranges[i]]), engine);
        if (!batch.Unread) return batch;
        batch.Dispose();
        return null;
    }

    /// <summary>Scores leads already read (see <see cref="Score(LeadScoringService, ServedModel?, int, Func{int, LeadInput?}, ScoringEngine)"/>), letting go of each once it is done with.</summary>
    public static ScoredBatch Score(LeadScoringService scoring, ServedModel? served, LeadInput?[] leads, ScoringEngine engine) =>
        Score(scoring, served, leads.Length, i =>
        {
            var lead = leads[i];
            leads[i] = null;
            return lead;
        }, engine);

    /// <summary>
    /// Scores every lead and, for those scored, makes its log entry and writes its answer, all on the scoring cores. The
    /// answers are kept (as bytes) until every lead is known to be valid: one invalid lead makes the whole batch a 400.
    /// Only an invalid lead's assessment is kept, and each lead is read (<paramref name="lead"/>) just before it is
    /// scored: a GC during a batch finds little of it alive, where reading every lead first, and keeping every answer
    /// until the end, had it promote the batch's thousands of dictionaries, strings and answers.
    /// </summary>
    private static ScoredBatch Score(LeadScoringService scoring, ServedModel? served, int count, Func<int, LeadInput?> lead, ScoringEngine engine)
    {
        var batch = new ScoredBatch(count, (count + Chunk - 1) / Chunk);
        var at = DateTime.UtcNow;
        ForChunks(count, (from, to) =>
        {
            var answers = new PooledBytes(to - from);
            batch.Answers[from / Chunk] = answers;
            using var writer = new Utf8JsonWriter(answers, JsonBodyWriter.Options);
            for (var i = from; i < to && !batch.Unread; i++)
            {
                if (lead(i) is not { } input)
                {
                    batch.Unread = true;
                    return;
                }
                var a = scoring.Assess(served, input.Features, engine, count: false);
                if (!a.IsValid)
                {
                    batch.Invalid[i] = a;
                    continue;
                }
                // One timestamp for the batch, so that the log keeps the batch's order (a lead sent twice: the later one is its latest).
                batch.Logged[i] = PredictionLog.Entry(input.LeadId, input.Features, a.Result!, at);
                if (i > 0) answers.Write(","u8);
                writer.Reset(answers);
                PredictAnswerWriter.Write(writer, PredictResponse.From(input.LeadId, a.Result!));
                writer.Flush();
            }
        });
        return batch;
    }

    /// <summary>Runs <paramref name="range"/> over [0, count) in chunks of <see cref="Chunk"/>, on all cores once there are two chunks.</summary>
    private static void ForChunks(int count, Action<int, int> range)
    {
        if (count <= Chunk) range(0, count);
        else Parallel.ForEach(Partitioner.Create(0, count, Chunk), r => range(r.Item1, r.Item2));
    }
}

/// <summary>
/// A scored JSON batch: the assessments of leads that could not be scored, each scored lead's log entry, and the answers
/// written chunk by chunk (dispose to return their buffers).
/// </summary>
public sealed class ScoredBatch(int leads, int chunks) : IDisposable
{
    /// <summary>By lead: its assessment when it has problems, else null.</summary>
    public LeadAssessment?[] Invalid { get; } = new LeadAssessment?[leads];
    public LoggedPrediction?[] Logged { get; } = new LoggedPrediction?[leads];
    internal PooledBytes?[] Answers { get; } = new PooledBytes?[chunks];

    public bool AllValid => Array.TrueForAll(Invalid, a => a is null);

    /// <summary>A lead could not be read cleanly from its own bytes: the batch is to be read in order instead.</summary>
    internal bool Unread
    {
        get => Volatile.Read(ref _unread);
        set => Volatile.Write(ref _unread, value);
    }
    private bool _unread;

    /// <summary>The answer's length in bytes: the chunks and the array's brackets.</summary>
    internal long Length => 2 + Answers.Sum(a => (long)a!.Written.Length);

    public void Dispose()
    {
        foreach (var a in Answers) a?.Dispose();
    }
}

/// <summary>
/// The 200 answer of a JSON batch: the chunks' answers copied into the response in order, inside one array, with a
/// Content-Length. Describes itself to OpenAPI as <c>Ok&lt;List&lt;PredictResponse&gt;&gt;</c> does.
/// </summary>
public sealed class JsonBatchResult(ScoredBatch batch) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (batch)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = batch.Length;
            var body = response.BodyWriter;
            body.Write("["u8);
            foreach (var chunk in batch.Answers)
            {
                body.Write(chunk!.Written);
                // Sent as it is copied, so the pipe never holds the whole answer.
                await body.FlushAsync(httpContext.RequestAborted);
            }
            body.Write("]"u8);
            await body.FlushAsync(httpContext.RequestAborted);
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(List<PredictResponse>), ["application/json"]));
}

/// <summary>A growable byte buffer rented from the shared pool (dispose to return it): a chunk's answers without a fresh array per chunk.</summary>
internal sealed class PooledBytes(int leads) : IBufferWriter<byte>, IDisposable
{
    // About 1.2 KB per answer with its reasons and warnings; grown (doubled) when a chunk needs more.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1024, leads * 1536));
    private int _written;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        var need = _written + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, _buffer.Length * 2));
        Written.CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }
}
