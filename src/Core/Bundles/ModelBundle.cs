using System.Text.Json;
using LeadPropensity.Core.Explanations;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Bundles;

/// <summary>One lead's score: calibrated probability, 0–100 score, raw margin and (when asked) per-field reasons.</summary>
public sealed record LeadScore(double Probability, int Score, double Raw, IReadOnlyList<Reason> Up, IReadOnlyList<Reason> Down);

/// <summary>A loaded, verified bundle that scores leads. Thread-safe: scoring allocates its own buffers.</summary>
public sealed class ModelBundle
{
    public required string Path { get; init; }
    public required ModelManifest Manifest { get; init; }
    public required LeadSchema Schema { get; init; }
    public required ScoringArtifact Artifact { get; init; }

    public string Version => Manifest.Version;
    public FeaturePlan Plan => Artifact.Plan;
    public IReadOnlyList<string> Fields => Artifact.Plan.Fields;

    /// <summary>The <paramref name="count"/> most important fields the model scores, most important first (computed once per count).</summary>
    public IReadOnlyList<string> TopFields(int count)
    {
        var cached = _top;
        if (cached is not null && cached.Count == count) return cached.Fields;
        var fields = Manifest.Importance.Select(i => i.Field).Where(Fields.Contains).Take(count).ToList();
        _top = new TopFieldsCache(count, fields);
        return fields;
    }

    private sealed record TopFieldsCache(int Count, IReadOnlyList<string> Fields);
    private TopFieldsCache? _top;

    private HashSet<string>? _known, _knownExact;
    /// <summary>Every schema column name, ignoring case: a request field outside it is reported as unknown.</summary>
    internal HashSet<string> KnownColumns => _known ??= new HashSet<string>(Schema.Columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
    /// <summary>The same names, spelled exactly: the quick first look (hashing ignoring case costs several times more).</summary>
    internal HashSet<string> KnownColumnsExact => _knownExact ??= new HashSet<string>(Schema.Columns.Select(c => c.Name), StringComparer.Ordinal);

    private Dictionary<string, int>? _fieldIndex;
    /// <summary>Each model field's position among <see cref="Fields"/>, by its name ignoring case (the first of any that differ only in case).</summary>
    internal Dictionary<string, int> FieldIndexIgnoringCase
    {
        get
        {
            if (_fieldIndex is { } known) return known;
            var index = new Dictionary<string, int>(Fields.Count, StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < Fields.Count; i++) index.TryAdd(Fields[i], i);
            return _fieldIndex = index;
        }
    }

    /// <summary>Loads and verifies a bundle; any damage (missing file, wrong hash, bad JSON, failed check) is an <see cref="InvalidDataException"/>.</summary>
    /// <remarks>A bundle outside a registry may sit in a folder of any name; <see cref="ModelRegistry.Load"/> holds a registry's folders to their versions.</remarks>
    public static ModelBundle Load(string dir) => Load(dir, storedAs: null);

    /// <summary>As <see cref="Load(string)"/>; with <paramref name="storedAs"/>, a manifest naming another version is refused before any file is hashed.</summary>
    internal static ModelBundle Load(string dir, string? storedAs)
    {
        try
        {
            var manifest = ModelRegistry.ReadManifest(dir);
            if (storedAs is not null && manifest.Version != storedAs)
                throw new InvalidDataException(ModelRegistry.Misnamed(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(dir))!, storedAs, manifest.Version));
            foreach (var (file, sha) in manifest.Files)
            {
                var p = System.IO.Path.Combine(dir, file);
                if (!File.Exists(p)) throw new InvalidDataException($"{file} is missing");
                if (BundleWriter.Sha256(p) != sha) throw new InvalidDataException($"{file} does not match its SHA-256 in manifest.json");
            }
            var artifact = JsonSerializer.Deserialize<ScoringArtifact>(File.ReadAllText(System.IO.Path.Combine(dir, "scoring.json")), ScoringArtifact.ReadJson)
                           ?? throw new InvalidDataException("scoring.json is empty");
            artifact.Verify();
            var schema = manifest.ParseSchema();
            if (!schema.FeatureColumns.Select(c => c.Name).SequenceEqual(artifact.Plan.Fields))
                throw new InvalidDataException("the schema's feature columns do not match the featurization plan");
            return new ModelBundle { Path = dir, Manifest = manifest, Schema = schema, Artifact = artifact };
        }
        // A bundle is a file anyone may have edited: whatever its damage makes a parser or check throw (a null where a
        // list belongs is a NullReferenceException, a huge count an OverflowException) means "cannot be loaded", so that
        // the caller keeps serving what it has. Only running out of memory is not the bundle's fault alone.
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"model bundle {dir} cannot be loaded: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("model bundle", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"model bundle {dir} cannot be loaded: {e.Message}", e);
        }
    }

    public static int ToScore(double p) => (int)Math.Round(Math.Clamp(p, 0, 1) * 100, MidpointRounding.AwayFromZero);

    /// <summary>Scores encoded features; with <paramref name="reasons"/> &gt; 0 also the top fields raising and lowering it.</summary>
    public LeadScore Score(ReadOnlySpan<float> x, ReadOnlySpan<string?> values, int reasons = 0)
    {
        if (reasons <= 0)
        {
            var r = Artifact.Model.Raw(x);
            var q = Artifact.Calibrator.Probability(r);
            return new LeadScore(q, ToScore(q), r, [], []);
        }
        var slots = System.Buffers.ArrayPool<double>.Shared.Rent(Plan.Width);
        try
        {
            var own = slots.AsSpan(0, Plan.Width);
            own.Clear();
            var raw = Artifact.Model.RawAndContributions(x, own);
            var p = Artifact.Calibrator.Probability(raw);
            var (up, down) = Explain(own, values, raw, p, reasons);
            return new LeadScore(p, ToScore(p), raw, up, down);
        }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(slots); }
    }

    /// <summary>
    /// Per business field: its raw-score contribution (slots summed back to the field), expressed as the change in
    /// probability were that contribution removed.
    /// </summary>
    private (List<Reason> Up, List<Reason> Down) Explain(ReadOnlySpan<double> slots, ReadOnlySpan<string?> values, double raw, double p, int k)
    {
        var offsets = Plan.SharedOffsets;
        var n = Plan.Encoders.Count;
        Span<double> effects = n <= 256 ? stackalloc double[n] : new double[n];
        Span<double> rounded = n <= 256 ? stackalloc double[n] : new double[n];
        for (var f = 0; f < n; f++)
        {
            double c = 0;
            for (var s = offsets[f]; s < offsets[f + 1]; s++) c += slots[s];
            effects[f] = Math.Abs(c) < 1e-9 ? 0 : p - Artifact.Calibrator.Probability(raw - c);
            rounded[f] = Math.Round(effects[f], 4);
        }
        // Only the k largest each way get a text: formatting every field's reason would cost more than scoring.
        Span<int> picked = k <= 64 ? stackalloc int[2 * k] : new int[2 * k];
        Span<int> up = picked[..k], down = picked[k..];
        var (nUp, nDown) = Strongest(rounded, k, up, down);
        return (Reasons(up[..nUp], values, effects), Reasons(down[..nDown], values, effects));
    }

    private List<Reason> Reasons(ReadOnlySpan<int> fields, ReadOnlySpan<string?> values, ReadOnlySpan<double> exact)
    {
        var list = new List<Reason>(fields.Length);
        foreach (var f in fields) list.Add(ReasonFor(Plan.Encoders[f].Field, values[f], exact[f]));
        return list;
    }

    /// <summary>
    /// The fields of the <paramref name="k"/> largest positive effects into <paramref name="up"/> (largest first) and of
    /// the k most negative into <paramref name="down"/> (most negative first), in one pass; equal effects keep field
    /// order, and a zero effect is neither. A NaN counts as the largest rise, so that it reaches the caller's check
    /// for non-finite answers instead of vanishing. Returns how many of each were found.
    /// </summary>
    internal static (int Up, int Down) Strongest(ReadOnlySpan<double> effects, int k, Span<int> up, Span<int> down)
    {
        int nUp = 0, nDown = 0;
        for (var f = 0; f < effects.Length; f++)
        {
            var e = effects[f];
            if (e > 0 || double.IsNaN(e)) Place(effects, up, ref nUp, k, f, double.IsNaN(e) ? double.PositiveInfinity : e);
            else if (e < 0) Place(effects, down, ref nDown, k, f, -e);
        }
        return (nUp, nDown);

        // Into a list kept in order of decreasing size: after every field already there that is at least as large.
        static void Place(ReadOnlySpan<double> effects, Span<int> list, ref int n, int k, int f, double size)
        {
            var at = n;
            while (at > 0 && Math.Abs(effects[list[at - 1]]) < size) at--;
            if (at >= k) return;
            var last = Math.Min(n, k - 1);
            for (var i = last; i > at; i--) list[i] = list[i - 1];
            list[at] = f;
            if (n < k) n++;
        }
    }

    internal static Reason ReasonFor(string field, string? value, double effect) =>
        new(field, value, Math.Round(effect, 4), ReasonText(field, value ?? "(missing)", effect));

    /// <summary>
    /// "<c>field = value raises the likelihood by 6.1 points</c>" (or lowers): the effect in probability points to one
    /// decimal, rounded half away from zero. Written in one piece from the effect in thousandths, an integer: six of these
    /// per answer, and formatting each double with "F1" cost more than the rest of the text.
    /// </summary>
    internal static string ReasonText(string field, string shown, double effect)
    {
        var verb = effect >= 0 ? " raises the likelihood by " : " lowers the likelihood by ";
        // Not reached by a served answer (a non-finite effect sends the lead to the rules), but never garbled.
        if (!double.IsFinite(effect) || Math.Abs(effect) > 1e12) return $"{field} = {shown}{verb}{Math.Abs(effect) * 100} points";
        var thousandths = (long)Math.Round(Math.Abs(effect) * 1000, MidpointRounding.AwayFromZero);
        var (whole, tenth) = Math.DivRem(thousandths, 10);
        var digits = 1;
        for (var w = whole; w >= 10; w /= 10) digits++;
        return string.Create(field.Length + 3 + shown.Length + verb.Length + digits + 2 + 7, (field, shown, verb, whole, tenth), static (span, s) =>
        {
            var at = 0;
            void Put(Span<char> span, ReadOnlySpan<char> text, ref int at) { text.CopyTo(span[at..]); at += text.Length; }
            Put(span, s.field, ref at);
            Put(span, " = ", ref at);
            Put(span, s.shown, ref at);
            Put(span, s.verb, ref at);
            s.whole.TryFormat(span[at..], out var n, default, System.Globalization.CultureInfo.InvariantCulture);
            at += n;
            span[at++] = '.';
            span[at++] = (char)('0' + s.tenth);
            Put(span, " points", ref at);
        });
    }
}
