namespace LeadPropensity.Core.Modeling;

public sealed record TrainingOptions
{
    public TrainerKind? Trainer { get; init; }
    public int Seed { get; init; } = 42;
    public int Folds { get; init; } = 5;
    public double TestShare { get; init; } = 0.2;
    public int MinPerClass { get; init; } = 40;
    public FeaturePlanOptions Features { get; init; } = new();
    /// <summary>A field whose own AUC reaches this on the training part is flagged as a likely leak.</summary>
    public double LeakAuc { get; init; } = 0.95;
    /// <summary>Stop (before fitting anything) when a leak is flagged.</summary>
    public bool FailOnLeak { get; init; }
    /// <summary>Stop (before fitting anything) on a value that cannot be read as its column's type, instead of reading it as missing.</summary>
    public bool FailOnUnreadable { get; init; }
}

/// <summary>Reports what training is doing; the console shows it as progress, tests ignore it.</summary>
public interface ITrainingProgress
{
    void Stage(string name, int total);
    void Advance(string name);
}

public sealed class NoProgress : ITrainingProgress
{
    public static readonly NoProgress Instance = new();
    public void Stage(string name, int total) { }
    public void Advance(string name) { }
}

/// <summary>Training cannot go on: too little data, an unmappable label, or (with --strict) a leak.</summary>
public sealed class TrainingException(string message) : Exception(message);
