using System.Text.Json.Serialization;

namespace LeadPropensity.Core.Modeling;

/// <summary>Maps a raw model score to a calibrated probability.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(PlattCalibrator), "platt")]
[JsonDerivedType(typeof(IsotonicCalibrator), "isotonic")]
public abstract class Calibrator
{
    public abstract double Probability(double raw);
    [JsonIgnore] public string Method => this is PlattCalibrator ? "platt" : "isotonic";
}

/// <summary>p = 1 / (1 + exp(-(a·raw + b))), fitted by Newton's method with Platt's smoothed targets.</summary>
public sealed class PlattCalibrator : Calibrator
{
    public double A { get; init; } = 1;
    public double B { get; init; }

    public override double Probability(double raw) => 1.0 / (1.0 + Math.Exp(-(A * raw + B)));

    public static PlattCalibrator Fit(IReadOnlyList<double> raw, IReadOnlyList<bool> y)
    {
        int pos = y.Count(v => v), neg = y.Count - pos;
        double hi = (pos + 1.0) / (pos + 2.0), lo = 1.0 / (neg + 2.0);
        double Loss(double a, double b)
        {
            double l = 0;
            for (var i = 0; i < raw.Count; i++)
            {
                var z = a * raw[i] + b;
                var t = y[i] ? hi : lo;
                // log(1 + e^z) − t·z, computed without overflow
                l += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - t * z;
            }
            return l;
        }
        // Start from the constant model, then Newton steps with backtracking so large raw scores cannot make it diverge.
        double a0 = 0, b0 = Math.Log((pos + 1.0) / (neg + 1.0));
        var current = Loss(a0, b0);
        for (var iter = 0; iter < 100; iter++)
        {
            double g0 = 0, g1 = 0, h00 = 1e-12, h01 = 0, h11 = 1e-12;
            for (var i = 0; i < raw.Count; i++)
            {
                var p = 1.0 / (1.0 + Math.Exp(-(a0 * raw[i] + b0)));
                var d = p - (y[i] ? hi : lo);
                var w = Math.Max(p * (1 - p), 1e-12);
                g0 += d * raw[i]; g1 += d;
                h00 += w * raw[i] * raw[i]; h01 += w * raw[i]; h11 += w;
            }
            var det = h00 * h11 - h01 * h01;
            if (!(Math.Abs(det) > 1e-300)) break;
            var da = (h11 * g0 - h01 * g1) / det;
            var db = (h00 * g1 - h01 * g0) / det;
            var step = 1.0;
            while (step > 1e-8 && !(Loss(a0 - step * da, b0 - step * db) <= current)) step /= 2;
            if (step <= 1e-8) break;
            a0 -= step * da; b0 -= step * db;
            var next = Loss(a0, b0);
            var done = current - next < 1e-12 * Math.Max(1, Math.Abs(current));
            current = next;
            if (done) break;
        }
        return new PlattCalibrator { A = a0, B = b0 };
    }
}

/// <summary>Isotonic (pool-adjacent-violators) step function, linearly interpolated between block centres.</summary>
public sealed class IsotonicCalibrator : Calibrator
{
    public required double[] X { get; init; }
    public required double[] Y { get; init; }

    public override double Probability(double raw)
    {
        if (raw <= X[0]) return Y[0];
        if (raw >= X[^1]) return Y[^1];
        var i = Array.BinarySearch(X, raw);
        if (i >= 0) return Y[i];
        i = ~i;
        var t = (raw - X[i - 1]) / (X[i] - X[i - 1]);
        return Y[i - 1] + t * (Y[i] - Y[i - 1]);
    }

    public static IsotonicCalibrator Fit(IReadOnlyList<double> raw, IReadOnlyList<bool> y)
    {
        var order = Enumerable.Range(0, raw.Count).OrderBy(i => raw[i]).ToArray();
        // Blocks: (sum of labels, count, sum of x)
        var sums = new List<double>(); var counts = new List<double>(); var xs = new List<double>();
        foreach (var i in order)
        {
            sums.Add(y[i] ? 1 : 0); counts.Add(1); xs.Add(raw[i]);
            while (sums.Count > 1 && sums[^2] / counts[^2] >= sums[^1] / counts[^1])
            {
                sums[^2] += sums[^1]; counts[^2] += counts[^1]; xs[^2] += xs[^1];
                sums.RemoveAt(sums.Count - 1); counts.RemoveAt(counts.Count - 1); xs.RemoveAt(xs.Count - 1);
            }
        }
        // Keep probabilities off 0 and 1 so log loss stays finite on leads outside the calibration data.
        var n = raw.Count;
        var X = xs.Select((s, k) => s / counts[k]).ToArray();
        var Y = sums.Select((s, k) => Math.Clamp(s / counts[k], 0.5 / n, 1 - 0.5 / n)).ToArray();
        return new IsotonicCalibrator { X = X, Y = Y };
    }
}
