using System.ComponentModel.DataAnnotations;

namespace LeadPropensity.Serving.Extensions;

/// <summary>Models: where the registry is and how often to look at <c>champion</c> besides file-system events.</summary>
public sealed class ModelsOptions
{
    [Required] public string Path { get; set; } = "models";
    /// <summary>Polling catches champion changes that file-system events miss (NFS, SMB, some container mounts).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Also react to file-system events on the registry folder (off: polling and POST /admin/reload only).</summary>
    public bool Watch { get; set; } = true;
}

/// <summary>Rules: the rules file that answers when the model cannot and whose disqualifiers always apply.</summary>
public sealed class RulesOptions
{
    [Required] public string Path { get; set; } = "rules.json";
}

/// <summary>Scoring: when the rules answer instead of the model.</summary>
public sealed class ScoringOptions
{
    [Range(0.0, 1.0)] public double MaxMissingImportantShare { get; set; } = 0.5;
    [Range(1, 100)] public int ImportantFieldCount { get; set; } = 5;
}

/// <summary>Predict: request size limits (JSON only; a CSV batch is streamed and has no size limit).</summary>
public sealed class PredictOptions
{
    [Range(1024, long.MaxValue)] public long MaxBodyBytes { get; set; } = 1 << 20;
    [Range(1024, long.MaxValue)] public long MaxBatchBodyBytes { get; set; } = 32L << 20;
    [Range(1, 1_000_000)] public int MaxBatchSize { get; set; } = 10_000;
    /// <summary>CSV batches scored at once; one more is a 429. Each holds a thread of its own while its upload lasts.</summary>
    [Range(1, 10_000)] public int MaxConcurrentCsvStreams { get; set; } = 16;
}

/// <summary>RateLimit: a token bucket per API key.</summary>
public sealed class RateLimitOptions
{
    [Range(1, int.MaxValue)] public int TokenLimit { get; set; } = 2000;
    [Range(1, int.MaxValue)] public int TokensPerPeriod { get; set; } = 1000;
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Requests with an X-Api-Key that matches no key, per client address: a burst, then this many per period.</summary>
    [Range(1, int.MaxValue)] public int InvalidKeyTokenLimit { get; set; } = 20;
    [Range(1, int.MaxValue)] public int InvalidKeyTokensPerPeriod { get; set; } = 5;
}
