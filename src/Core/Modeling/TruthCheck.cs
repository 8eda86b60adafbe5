using System.Globalization;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Modeling;

/// <summary>Compares a model's probabilities with known true probabilities (a generated file and its truth file).</summary>
public static class TruthCheck
{
    public static TruthComparison Compare(LeadSchema schema, FeaturePlan plan, Func<float[], double> probability, string dataPath, string truthPath)
    {
        var data = LeadDataset.Load(dataPath, schema);
        var truth = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var r = CsvTableReader.Open(truthPath))
        {
            var id = CsvText.RequireColumn(r.Headers, r.Headers[0], "id", truthPath);
            var p = CsvText.RequireColumn(r.Headers, "true_probability", "truth", truthPath);
            while (r.Read(out var row)) truth[row.Values[id]] = double.Parse(row.Values[p], CultureInfo.InvariantCulture);
        }
        var x = ModelTrainer.Encode(plan, data);
        var model = new double[data.Count];
        var real = new double[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            var key = data.Ids[i] ?? throw new InvalidDataException($"{dataPath}: line {data.Lines[i]} has no id to match the truth file");
            real[i] = truth.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"{truthPath}: no truth for lead '{key}'");
            model[i] = probability(x[i]);
        }
        var y = data.Labels.ToArray();
        var modelAuc = Metrics.RocAuc(model, y);
        var trueAuc = Metrics.RocAuc(real, y);
        var mae = model.Zip(real, (a, b) => Math.Abs(a - b)).Average();
        return new TruthComparison(Path.GetFileName(truthPath), data.Count, modelAuc, trueAuc, trueAuc - modelAuc, mae);
    }
}
