using System.Text.Json;
using System.Text.Json.Serialization;
using LeadPropensity.Serving.Predict;

namespace LeadPropensity.Serving.Extensions;

/// <summary>Source-generated JSON for the hot path (predict responses); everything else falls back to reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictResponse))]
internal sealed partial class ServingJsonContext : JsonSerializerContext;
