using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Monitoring;
using LeadPropensity.Serving.Predict;

namespace LeadPropensity.Benchmarks;

/// <summary>
/// /predict's work between reading the body and writing the answer, in process and without HTTP, beside /bench/echo's:
/// the gap is what the route itself costs a request (the prediction log's store, on its own thread, is the
/// PredictionLogStore bench's). The lead is bench/serving/lead.json, the one the wrk benchmark sends.
/// </summary>
[MemoryDiagnoser]
public class ServingPathBenchmarks
{
    private static readonly PredictResponse Fixed = new("echo", 0.5, 50, "MQL", "echo", null, [], []);
    private ModelBundle _bundle = null!;
    private LeadScorer _scorer = null!;
    // Made once, as the service's cutoffs provider caches them per bundle.
    private BandCutoffs _cutoffs = null!;
    private byte[] _body = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_bundle, _scorer, var root) = Repo.Served();
        _cutoffs = LeadScorer.CutoffsOf(_bundle);
        _body = File.ReadAllBytes(Path.Combine(root, "bench", "serving", "lead.json"));
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    [Benchmark(Baseline = true, Description = "echo: parse the lead, write the fixed answer")]
    public int Echo()
    {
        var lead = LeadJson.ParseOne(_body).Leads[0];
        return Write(Fixed with { LeadId = lead.LeadId });
    }

    [Benchmark(Description = "predict: parse, assess, the log's entry, write the answer")]
    public int Predict()
    {
        var lead = LeadJson.ParseOne(_body).Leads[0];
        var a = _scorer.Assess(_bundle, _cutoffs, lead.Features);
        var entry = PredictionLog.Entry(lead.LeadId, lead.Features, a.Result!);
        return Write(PredictResponse.From(lead.LeadId, a.Result!)) + (entry.Written is null ? 0 : 1);
    }

    private LeadInput _parsed = null!;
    private ScoredLead _scored = null!;

    [GlobalSetup(Targets = [nameof(Assess), nameof(Entry), nameof(Answer), nameof(AnswerBySerializer)])]
    public void SetupParts()
    {
        Setup();
        _parsed = LeadJson.ParseOne(_body).Leads[0];
        _scored = _scorer.Assess(_bundle, _cutoffs, _parsed.Features).Result!;
    }

    [Benchmark(Description = "part: assess a parsed lead")]
    public LeadAssessment Assess() => _scorer.Assess(_bundle, _cutoffs, _parsed.Features);

    [Benchmark(Description = "part: the log's entry")]
    public LoggedPrediction Entry() => PredictionLog.Entry(_parsed.LeadId, _parsed.Features, _scored);

    [Benchmark(Description = "part: write the answer")]
    public int Answer() => Write(PredictResponse.From(_parsed.LeadId, _scored));

    [Benchmark(Description = "part: write the answer with the source-generated serializer (the same bytes)")]
    public int AnswerBySerializer() => Write(PredictResponse.From(_parsed.LeadId, _scored), serializer: true);

    // As the service writes an answer (JsonBodyWriter): PredictAnswerWriter, or for comparison the serializer it replaced.
    private int Write(PredictResponse response, bool serializer = false)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        if (serializer) JsonSerializer.Serialize(_writer, response, ServingJsonContext.Default.PredictResponse);
        else PredictAnswerWriter.Write(_writer, response);
        _writer.Flush();
        return _buffer.WrittenCount;
    }
}
