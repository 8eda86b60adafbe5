using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Reporting;

/// <summary>Scores fresh labelled rows with a bundle, exactly as serving would, to judge or compare models.</summary>
public static class BundleEvaluation
{
    /// <summary>Loads a labelled file through the bundle's own schema.</summary>
    public static LeadDataset Load(ModelBundle bundle, string path) => LeadDataset.Load(path, bundle.Schema);

    /// <summary>Calibrated probabilities for every row; values that cannot be read as their type count as missing.</summary>
    public static double[] Score(ModelBundle bundle, LeadDataset data)
    {
        if (!data.Fields.SequenceEqual(bundle.Fields)) throw new InvalidDataException("the data's fields differ from the model's");
        var x = ModelTrainer.Encode(bundle.Plan, data);
        var p = new double[x.Length];
        for (var i = 0; i < x.Length; i++) p[i] = bundle.Score(x[i], data.Values[i]).Probability;
        return p;
    }

    /// <summary>
    /// The report input for fresh data: drift is measured against the training distribution kept in the bundle's report.json
    /// (bundles without one get no drift column); bands use the bundle's recommended cutoffs unless others are given.
    /// </summary>
    public static ReportInput Input(ModelBundle bundle, LeadDataset data, double[] probabilities, string dataName, DateTime? now = null)
    {
        var reference = ReportWriter.TryRead(bundle.Path);
        var train = reference?.Profile.Train ?? bundle.Manifest.Data.Train;
        return new ReportInput
        {
            Manifest = bundle.Manifest, Probabilities = probabilities, Labels = data.Labels, Kind = "evaluation", Data = dataName, Now = now,
            Profile = DataProfiler.AgainstReference(data, train, reference?.Profile.Fields),
        };
    }
}
