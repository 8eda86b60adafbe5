using System.Globalization;
using System.Text;
using LeadPropensity.Core.Csv;

namespace LeadPropensity.Core.Sample;

/// <summary>
/// Writes a synthetic B2B lead export whose true buying probability is known, so model quality can be measured
/// against the truth instead of only against noisy labels. The generative model is documented in data/sample/README.md.
/// </summary>
public sealed class LeadGenerator(int seed)
{
    public static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public const int Months = 18;

    public static readonly string[] Header =
    [
        "lead_id", "created_at", "lead_source", "industry", "company_size", "country", "job_title", "budget_confirmed",
        "website_visits_30d", "pages_per_visit", "avg_session_seconds", "service_page_views", "pricing_page_views",
        "visit_trend", "days_since_last_activity", "form_submissions", "email_opens_30d", "email_clicks_30d",
        "unsubscribed", "newsletter_subscriber", "social_engagements_30d", "content_downloads", "webinar_attended",
        "demo_requested", "pricing_requested", "free_trial", "contact_requested", "closed_reason", "outcome",
    ];

    private static readonly (string Name, double Weight, double Effect)[] Sources =
    [
        ("organic_search", 22, 0.0), ("paid_search", 18, -0.25), ("social", 12, -0.5), ("email_campaign", 12, 0.0),
        ("customer_referral", 6, 0.9), ("employee_referral", 4, 0.7), ("webinar", 8, 0.3), ("event", 6, 0.35),
        ("direct", 8, 0.15), ("partner", 10, 0.6),
    ];
    private static readonly (string Name, double Weight, double Effect)[] Industries =
    [
        ("software", 18, 0.35), ("financial_services", 12, 0.25), ("healthcare", 10, 0.1), ("manufacturing", 12, 0.0),
        ("retail", 10, -0.15), ("education", 8, -0.45), ("government", 5, -0.3), ("professional_services", 12, 0.15),
        ("media", 6, -0.1), ("nonprofit", 7, -0.55),
    ];
    private static readonly (string Name, double Weight, double Effect)[] Sizes =
        [("1-10", 22, -0.7), ("11-50", 28, -0.15), ("51-200", 24, 0.3), ("201-1000", 16, 0.5), ("1000+", 10, 0.3)];
    private static readonly (string Name, double Weight, double Effect)[] Countries =
    [
        ("US", 34, 0.15), ("UK", 12, 0.1), ("DE", 10, 0.05), ("FR", 7, -0.05), ("CA", 7, 0.1), ("AU", 5, 0.05),
        ("NL", 5, 0.0), ("IN", 9, -0.35), ("BR", 6, -0.25), ("ES", 5, -0.1),
    ];

    // Seniority levels: (weight, effect on buying, title templates; {d} is a department).
    private static readonly (double Weight, double Effect, string[] Titles)[] Seniority =
    [
        (6, 1.0, ["Chief Technology Officer", "Chief Marketing Officer", "CEO", "Chief Revenue Officer", "Founder & CEO", "Chief Operating Officer", "CIO"]),
        (9, 0.8, ["VP {d}", "Vice President of {d}", "SVP {d}", "VP, {d}"]),
        (14, 0.55, ["Director of {d}", "{d} Director", "Head of {d}", "Senior Director, {d}"]),
        (22, 0.25, ["{d} Manager", "Senior {d} Manager", "{d} Team Lead", "Manager, {d}"]),
        (30, 0.0, ["{d} Specialist", "{d} Analyst", "Senior {d} Analyst", "{d} Coordinator", "{d} Consultant", "{d} Engineer"]),
        (12, -1.0, ["{d} Intern", "Junior {d} Assistant", "{d} Assistant", "Trainee, {d}"]),
        (7, -2.2, ["Student", "Graduate Student", "MBA Student", "PhD Student"]),
    ];
    private static readonly string[] Departments = ["Marketing", "Sales", "IT", "Operations", "Finance", "Engineering", "Product", "HR", "Procurement"];
    private static readonly string[] WonReasons = ["signed annual contract", "purchased", "closed won - expansion", "closed won - new logo"];
    private static readonly string[] LostReasons = ["no budget", "chose competitor", "no decision", "bad timing", "not a fit"];

    /// <summary>One lead as its CSV fields, plus its true probability of buying.</summary>
    public sealed record Lead(string[] Fields, double TrueProbability);

    public IEnumerable<Lead> Generate(int rows)
    {
        var rng = new Random(seed);
        var span = Start.AddMonths(Months) - Start;
        // Creation times first, sorted, so ids follow time as in a CRM.
        var times = Enumerable.Range(0, rows).Select(_ => Start + TimeSpan.FromSeconds(rng.NextDouble() * span.TotalSeconds)).ToArray();
        Array.Sort(times);
        for (var i = 0; i < rows; i++) yield return One(rng, i + 1, times[i], (times[i] - Start).TotalDays / span.TotalDays);
    }

    private static Lead One(Random rng, int index, DateTime created, double t)
    {
        // Latent traits: engagement drives behaviour; fit is the firmographic prior.
        var engagement = Normal(rng);
        var source = Pick(rng, t > 1 - 4.0 / Months ? Sources : Sources[..^1]);
        var industry = Pick(rng, Industries);
        var size = Pick(rng, Sizes);
        var country = Pick(rng, Countries);
        var level = PickIndex(rng, Seniority.Select(s => s.Weight).ToArray());
        var (_, seniority, templates) = Seniority[level];
        var title = templates[rng.Next(templates.Length)].Replace("{d}", Departments[rng.Next(Departments.Length)]);
        var senior = level <= 2;
        var budgetRoll = rng.NextDouble();
        var budget = budgetRoll < 0.22 + 0.1 * Math.Tanh(engagement) + (senior ? 0.1 : 0) ? "yes" : budgetRoll < 0.6 ? "no" : "unknown";

        var intentW = 0.8 + 0.5 * t; // intent signals slowly gain weight over the 18 months
        var visits = Poisson(rng, Math.Exp(1.4 + 0.55 * engagement));
        var pagesPerVisit = visits == 0 ? double.NaN : Math.Round(Math.Max(1, 2.5 + 1.2 * engagement + Normal(rng) * 1.5), 1);
        var session = visits == 0 ? 0 : Math.Round(Math.Exp(4.3 + 0.35 * engagement + 0.5 * Normal(rng)));
        var servicePages = Poisson(rng, 0.25 * visits * (1 + 0.3 * Math.Max(engagement, 0)));
        var pricingPages = Poisson(rng, Math.Exp(-1.6 + 0.8 * engagement + 0.3 * seniority));
        var trend = Math.Round(Math.Clamp(0.15 * engagement + 0.45 * Normal(rng), -1, 1), 2);
        var inactive = (int)Math.Min(365, Math.Round(Exponential(rng, 25 * Math.Exp(-0.5 * engagement))));
        var forms = Poisson(rng, Math.Exp(-1.0 + 0.6 * engagement));
        var opens = Poisson(rng, Math.Exp(1.2 + 0.4 * engagement));
        var clicks = Poisson(rng, 0.25 * opens * Math.Exp(0.3 * engagement));
        var unsubscribed = rng.NextDouble() < Sigmoid(-2.6 - 0.7 * engagement);
        var newsletter = rng.NextDouble() < Sigmoid(-1.0 + 0.5 * engagement);
        var social = Poisson(rng, Math.Exp(0.3 + 0.5 * engagement));
        var downloads = Poisson(rng, Math.Exp(-0.8 + 0.5 * engagement));
        var webinar = rng.NextDouble() < Sigmoid(-2.0 + 0.6 * engagement + (source.Name == "webinar" ? 1.5 : 0));
        var demo = rng.NextDouble() < Sigmoid(-2.8 + 0.9 * engagement + 0.5 * seniority);
        var pricingReq = rng.NextDouble() < Sigmoid(-3.0 + 0.8 * engagement + 0.3 * pricingPages);
        var trial = rng.NextDouble() < Sigmoid(-2.7 + 0.7 * engagement - 0.3 * seniority);
        var contact = rng.NextDouble() < Sigmoid(-2.9 + 0.8 * engagement);

        var logit = -3.95
            + source.Effect + industry.Effect + size.Effect + country.Effect
            + 0.8 * seniority
            + (budget == "yes" ? 0.8 : budget == "no" ? -0.5 : 0)
            + 1.0 * Math.Tanh(visits / 8.0)
            + 0.3 * Math.Min(pricingPages, 4)
            + 0.12 * Math.Min(servicePages, 5)
            + 0.45 * trend
            - (inactive > 60 ? 0.9 : 0) - (inactive > 120 ? 0.6 : 0)
            + 0.08 * Math.Min(clicks, 6)
            + 0.12 * Math.Min(downloads, 3)
            + (webinar ? 0.3 : 0) + (newsletter ? 0.15 : 0)
            + intentW * ((demo ? 1.1 : 0) + (pricingReq ? 0.8 : 0) + (trial ? 0.6 : 0) + (contact ? 0.7 : 0))
            + (demo && senior ? 0.9 : 0)                              // a demo request from a senior title is a strong lead
            - (unsubscribed ? 0.8 : 0)
            - (visits >= 10 && trend < -0.3 && unsubscribed ? 1.6 : 0) // many visits, now declining and unsubscribed: gone cold
            + (level == 6 && demo ? -0.8 : 0);                        // students asking for demos are not buyers
        var p = Sigmoid(logit);
        var won = rng.NextDouble() < p;

        string reason = won ? WonReasons[rng.Next(WonReasons.Length)] : rng.NextDouble() < 0.45 ? LostReasons[rng.Next(LostReasons.Length)] : "";

        string F0(double v) => v.ToString("0", CultureInfo.InvariantCulture);
        string YesNo(bool b) => b ? "yes" : "no";
        var fields = new[]
        {
            $"L-{index:D6}",
            created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            source.Name,
            Missing(rng, 0.10, industry.Name, placeholder: true),
            Missing(rng, 0.12, size.Name, placeholder: true),
            Missing(rng, 0.05, country.Name),
            Missing(rng, 0.08, title),
            Missing(rng, 0.15, budget),
            F0(visits),
            double.IsNaN(pagesPerVisit) ? "" : pagesPerVisit.ToString("0.0", CultureInfo.InvariantCulture),
            Missing(rng, 0.07, F0(session)),
            F0(servicePages),
            F0(pricingPages),
            trend.ToString("0.00", CultureInfo.InvariantCulture),
            Missing(rng, 0.06, F0(inactive)),
            F0(forms),
            F0(opens),
            F0(clicks),
            YesNo(unsubscribed),
            YesNo(newsletter),
            Missing(rng, 0.20, F0(social)),
            F0(downloads),
            YesNo(webinar),
            YesNo(demo),
            YesNo(pricingReq),
            YesNo(trial),
            YesNo(contact),
            reason,
            won ? "won" : "lost",
        };
        return new Lead(fields, p);
    }

    /// <summary>Writes the export and the truth file; both are byte-for-byte reproducible from (rows, seed).</summary>
    public void Write(int rows, string outPath, string? truthPath)
    {
        using var data = Writer(outPath);
        using var truth = truthPath is null ? null : Writer(truthPath);
        data.Write(string.Join(',', Header) + "\n");
        truth?.Write("lead_id,true_probability\n");
        foreach (var lead in Generate(rows))
        {
            data.Write(string.Join(',', lead.Fields.Select(CsvText.Escape)) + "\n");
            truth?.Write($"{lead.Fields[0]},{lead.TrueProbability.ToString("0.000000", CultureInfo.InvariantCulture)}\n");
        }
    }

    private static StreamWriter Writer(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        return new StreamWriter(path, false, new UTF8Encoding(false));
    }

    private static string Missing(Random rng, double share, string value, bool placeholder = false)
    {
        if (rng.NextDouble() >= share) return value;
        return placeholder && rng.NextDouble() < 0.5 ? "Select" : "";
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Exponential(Random rng, double mean) => -mean * Math.Log(1 - rng.NextDouble());

    private static int Poisson(Random rng, double lambda)
    {
        // Knuth for small means, a rounded normal approximation for large ones; both deterministic given the rng.
        if (lambda > 30) return Math.Max(0, (int)Math.Round(lambda + Math.Sqrt(lambda) * Normal(rng)));
        var l = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    private static (string Name, double Weight, double Effect) Pick(Random rng, (string Name, double Weight, double Effect)[] items) =>
        items[PickIndex(rng, items.Select(i => i.Weight).ToArray())];

    private static int PickIndex(Random rng, double[] weights)
    {
        var total = weights.Sum();
        var x = rng.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Length - 1;
    }
}
