using System.Security.Cryptography;
using System.Text.Json;
using LeadPropensity.Core.Modeling;
using Microsoft.ML;

namespace LeadPropensity.Core.Bundles;

/// <summary>Writes a trained model as an immutable, versioned bundle: into a temp folder first, then one rename.</summary>
public static class BundleWriter
{
    /// <summary>Extra files (e.g. the report) written into the bundle before it is published.</summary>
    public delegate void ExtraFiles(string tempDir, ModelManifest manifest);

    public static (string Path, ModelManifest Manifest) Write(string registryDir, TrainedModel m, string dataFile, string dataSha256,
        int skippedRows, TruthComparison? truth = null, ExtraFiles? extra = null, DateTime? now = null)
    {
        Directory.CreateDirectory(registryDir);
        var created = now ?? DateTime.UtcNow;
        var version = UniqueVersion(registryDir, created);
        var temp = Path.Combine(registryDir, $".tmp-{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var inputSchema = CandidateFitter.ToDataView(m.Ml, [new float[m.Plan.Width]], [false], m.Plan.Width).Schema;
            var files = new Dictionary<string, string>();
            for (var i = 0; i < m.MlModels.Count; i++)
            {
                // A blend keeps one ML.NET model per part: model.zip, model.2.zip, …
                var name = i == 0 ? "model.zip" : $"model.{i + 1}.zip";
                m.Ml.Model.Save(m.MlModels[i], inputSchema, Path.Combine(temp, name));
                files[name] = Sha256(Path.Combine(temp, name));
            }
            var artifact = new ScoringArtifact
            {
                Plan = m.Plan, Model = m.Scoring, Calibrator = m.Calibrator,
                Checks = m.Checks.Select(c => new ScoringArtifact.CheckVector(c.X, c.Raw)).ToList(),
            };
            File.WriteAllText(Path.Combine(temp, "scoring.json"), JsonSerializer.Serialize(artifact, ScoringArtifact.Json));

            files["scoring.json"] = Sha256(Path.Combine(temp, "scoring.json"));
            var manifest = ManifestFactory.Create(version, created, m, dataFile, dataSha256, skippedRows, truth, files);
            if (extra is not null)
            {
                extra(temp, manifest);
                // What the extra step wrote (the report, made from the manifest) is hashed too, so a damaged or altered
                // report is caught as a damaged model file is; manifest.json is written after it, with those hashes.
                var all = new Dictionary<string, string>(files);
                foreach (var n in Directory.GetFiles(temp).Select(f => Path.GetFileName(f)).Where(n => !files.ContainsKey(n)).Order(StringComparer.Ordinal))
                    all[n] = Sha256(Path.Combine(temp, n));
                manifest = manifest with { Files = all };
            }
            File.WriteAllText(Path.Combine(temp, "manifest.json"), JsonSerializer.Serialize(manifest, ModelManifest.Json) + "\n");
            var final = Path.Combine(registryDir, version);
            Directory.Move(temp, final);
            return (final, manifest);
        }
        catch
        {
            try { Directory.Delete(temp, true); } catch (IOException) { /* best effort: a leftover .tmp- folder is ignored by the registry */ }
            throw;
        }
    }

    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static string UniqueVersion(string dir, DateTime created)
    {
        var baseName = "v" + created.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var name = baseName;
        for (var i = 2; Directory.Exists(Path.Combine(dir, name)); i++) name = $"{baseName}-{i}";
        return name;
    }
}
