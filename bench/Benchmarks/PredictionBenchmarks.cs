using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.State;

if (args is ["loop", var seconds, .. var part])
{
    // For a profiler: the predict path (or with "assess" only its scoring) over and over (bench/RESULTS.md names the
    // command where it is used).
    var b = new LeadPropensity.Benchmarks.ServingPathBenchmarks();
    b.SetupParts();
    Action step = part is ["assess"] ? () => b.Assess() : () => b.Predict();
    var until = DateTime.UtcNow.AddSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    long n = 0;
    while (DateTime.UtcNow < until) { for (var i = 0; i < 1000; i++) step(); n += 1000; }
    Console.WriteLine($"{n} calls");
    return;
}
BenchmarkSwitcher.FromTypes([typeof(LeadPropensity.Benchmarks.PredictionBenchmarks), typeof(LeadPropensity.Benchmarks.ServingPathBenchmarks)]).Run(args);

namespace LeadPropensity.Benchmarks
{
    /// <summary>
    /// One in-process prediction, as /predict does it without HTTP: prepare (validate + encode) and score with reasons,
    /// then the whole LeadScorer path (rules for disqualifiers, bands). Model: the champion of MODELS (default /tmp/srv-models).
    /// </summary>
    [MemoryDiagnoser]
    public class PredictionBenchmarks
    {
        private ModelBundle _bundle = null!;
        private LeadScorer _scorer = null!;
        private Dictionary<string, string?> _lead = null!;
        private PreparedLead _prepared = null!;
        private Dictionary<string, string?> _sameLeadNewStrings = null!;

        [GlobalSetup]
        public void Setup()
        {
            (_bundle, _scorer, _) = Repo.Served();
            _lead = new Dictionary<string, string?>
            {
                ["created_at"] = "2025-01-01T00:42:45Z", ["lead_source"] = "direct", ["industry"] = "education", ["company_size"] = "201-1000",
                ["country"] = "US", ["job_title"] = "Sales Team Lead", ["budget_confirmed"] = "yes", ["website_visits_30d"] = "7",
                ["pages_per_visit"] = "4.4", ["avg_session_seconds"] = "41", ["service_page_views"] = "3", ["pricing_page_views"] = "1",
                ["visit_trend"] = "-0.18", ["days_since_last_activity"] = "53", ["form_submissions"] = "0", ["email_opens_30d"] = "3",
                ["email_clicks_30d"] = "1", ["unsubscribed"] = "yes", ["newsletter_subscriber"] = "yes", ["social_engagements_30d"] = "2",
                ["content_downloads"] = "3", ["webinar_attended"] = "no", ["demo_requested"] = "no", ["pricing_requested"] = "no",
                ["free_trial"] = "no", ["contact_requested"] = "no", ["owner"] = "jane.doe", ["utm_campaign"] = "spring-webinar",
                ["email_domain"] = "example.edu", ["phone_verified"] = "true",
            };
            _prepared = PreparedLead.From(_bundle, _lead);
            // As each request parses its own: equal names, other string instances.
            _sameLeadNewStrings = _lead.ToDictionary(p => new string(p.Key.AsSpan()), p => p.Value);
        }

        [Benchmark(Description = "PreparedLead.From + ModelBundle.Score(reasons: 3)")]
        public LeadScore PrepareAndScore()
        {
            var p = PreparedLead.From(_bundle, _lead);
            return _bundle.Score(p.Features, p.Values, 3);
        }

        [Benchmark(Description = "ModelBundle.Score without reasons (an encoded lead)")]
        public LeadScore ScoreOnly() => _bundle.Score(_prepared.Features, _prepared.Values);

        [Benchmark(Description = "ModelBundle.Score(reasons: 3) (an encoded lead)")]
        public LeadScore ScoreAndExplain() => _bundle.Score(_prepared.Features, _prepared.Values, 3);

        [Benchmark(Description = "PreparedLead.From (validate + encode)")]
        public PreparedLead Prepare() => PreparedLead.From(_bundle, _lead);

        [Benchmark(Description = "RuleSet.DisqualifiedBy (the rules' disqualifiers, on the model's path)")]
        public string? Disqualifiers() => _scorer.Rules.DisqualifiedBy(_lead);

        [Benchmark(Description = "LoggedFeatures.Write, two leads (the prediction log's copy of each lead's features)")]
        public (LoggedFeatures, LoggedFeatures) LogFeatures() => (LoggedFeatures.Write(_lead), LoggedFeatures.Write(_sameLeadNewStrings));

        [Benchmark(Description = "LeadScorer.Assess (model, rules, band, reasons)")]
        public LeadAssessment Assess() => _scorer.Assess(_bundle, null, _lead);
    }

    internal static class Repo
    {
        /// <summary>The champion of MODELS (default /tmp/srv-models), a scorer with the repository's rules, and the repository root.</summary>
        public static (ModelBundle Bundle, LeadScorer Scorer, string Root) Served()
        {
            var models = Environment.GetEnvironmentVariable("MODELS") ?? "/tmp/srv-models";
            var bundle = ModelBundle.Load(new ModelRegistry(models).Resolve("champion"));
            var root = Environment.GetEnvironmentVariable("REPO") ?? Find();
            return (bundle, new LeadScorer(RuleSet.Load(Path.Combine(root, "rules.json")), new ScoringPolicy()), root);
        }

        public static string Find()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPropensity.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("set REPO to the repository root");
        }
    }
}
