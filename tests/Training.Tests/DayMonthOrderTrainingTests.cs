using System.Globalization;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Training.Tests;

/// <summary>
/// A CRM export whose timestamp is written 03/05/2025 14:00 trains on the dates the file holds: read value by value,
/// days up to 12 were read day first, so the manifest's time range ran to dates not in the file and the "most recent
/// 20%" test set was scrambled.
/// </summary>
[Collection(CommandCollection.Name)] // with the other command tests: two CLI commands run at once here failed (exit 2)
public class DayMonthOrderTrainingTests
{
    [Theory]
    [InlineData("MM/dd/yyyy HH:mm", true)]
    [InlineData("MM/dd/yyyy HH:mm", false)] // the sample schema, which gives created_at no format
    [InlineData("dd/MM/yyyy HH:mm", true)]
    public void TheManifestsTimeRangeIsTheFilesFirstAndLastDates(string form, bool infer)
    {
        var dir = RepoPaths.TempDir("lp-dates");
        var data = Path.Combine(dir, "leads.csv");
        var times = new List<DateTime>();
        var lines = File.ReadLines(RepoPaths.Repo("data", "sample", "leads.csv")).ToList();
        // Every seventh lead of the sample: about 2,900 rows from January 2025 to June 2026.
        var rows = lines.Skip(1).Where((_, i) => i % 7 == 0).Select(line =>
        {
            var parts = line.Split(',', 3); // lead_id and created_at hold no commas
            var t = DateTime.Parse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc);
            times.Add(t);
            return $"{parts[0]},{t.ToString(form, CultureInfo.InvariantCulture)},{parts[2]}";
        });
        File.WriteAllLines(data, [lines[0], .. rows]);

        var schema = RepoPaths.Repo("data", "sample", "schema.json");
        if (infer)
        {
            schema = Path.Combine(dir, "schema.json");
            Assert.Equal(0, CommandFixture.Run("schema", "infer", "--data", data, "--label", "outcome", "--positive", "won", "--out", schema));
            Assert.NotNull(LeadSchema.Load(schema).Find("created_at")!.Format);
        }
        var registry = Path.Combine(dir, "models");
        Assert.Equal(0, CommandFixture.Run("train", "--data", data, "--schema", schema, "--out", registry, "--trainer", "logistic", "--seed", "1"));

        var manifest = new ModelRegistry(registry).List().Single().Manifest!;
        Assert.Equal(times.Min(), manifest.Data.From);
        Assert.Equal(times.Max(), manifest.Data.To);
        Assert.Equal(times.Count, manifest.Data.Rows);
    }
}
