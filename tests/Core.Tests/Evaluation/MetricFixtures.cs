using System.Text.Json;

namespace LeadPropensity.Core.Tests.Evaluation;

/// <summary>Reads Fixtures/metric_fixtures.json, the scikit-learn reference values; JSON null stands for NaN.</summary>
internal static class MetricFixtures
{
    public const double Tolerance = 1e-6;

    private static readonly Lazy<JsonElement> Root = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "metric_fixtures.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    });

    public static JsonElement Json => Root.Value;

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Json.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    public static JsonElement Case(string name) =>
        Json.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static double[] Doubles(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static bool[] Labels(this JsonElement e) =>
        e.GetProperty("y").EnumerateArray().Select(v => v.GetInt32() == 1).ToArray();

    public static double Number(this JsonElement e, string property)
    {
        var v = e.GetProperty(property);
        return v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble();
    }

    public static int Int(this JsonElement e, string property) => e.GetProperty(property).GetInt32();

    /// <summary>Equal within 1e-6, or both NaN.</summary>
    public static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual:R}");
        else
            Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
