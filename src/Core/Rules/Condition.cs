using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Rules;

public enum RuleOperator { Eq, In, Gt, Gte, Lt, Lte, Contains, Exists, Missing }

/// <summary>The <c>when</c> of a rule: a test on one field, or tests combined with all / any / not.</summary>
public abstract record Condition
{
    internal abstract bool Matches(LeadValues lead);

    /// <summary>Every field test in the condition, depth first, in the order written.</summary>
    public abstract IEnumerable<FieldCondition> FieldTests { get; }

    /// <summary>A readable rendering, used as the reason text when a rule has none.</summary>
    public abstract string Describe();

    internal string DescribeNested() => this is FieldCondition or NotCondition ? Describe() : $"({Describe()})";
}

/// <summary>
/// One operator on one field. A missing value matches only <c>missing</c>; a value that is not a number never
/// matches a numeric comparison.
/// </summary>
public sealed record FieldCondition(string Field, RuleOperator Operator, IReadOnlyList<string> Operands) : Condition
{
    public static bool IsNumeric(RuleOperator op) => op is RuleOperator.Gt or RuleOperator.Gte or RuleOperator.Lt or RuleOperator.Lte;

    public override IEnumerable<FieldCondition> FieldTests => [this];

    internal override bool Matches(LeadValues lead)
    {
        var value = lead.Present(Field);
        if (Operator == RuleOperator.Missing) return value is null;
        if (value is null) return false;
        return Operator switch
        {
            RuleOperator.Exists => true,
            RuleOperator.Eq or RuleOperator.In => AnyOperand(value, contains: false),
            RuleOperator.Contains => AnyOperand(value, contains: true),
            _ => ValueParsing.TryNumber(value, out var x) && Compare(x, number),
        };
    }

    // Loops rather than LINQ: the disqualifiers run on every scored lead, and a lambda here allocated on each.
    private bool AnyOperand(string value, bool contains)
    {
        for (var i = 0; i < Operands.Count; i++)
            if (contains ? value.Contains(Operands[i], StringComparison.OrdinalIgnoreCase) : LeadValues.Same(value, _operands[i])) return true;
        return false;
    }

    // Each operand's number and boolean, read once rather than on every lead.
    private readonly LeadValues.Operand[] _operands = [.. Operands.Select(LeadValues.Operand.Of)];

    // Parsed once here so that evaluation never re-parses; also rejects operands no rule could use.
    private readonly double number = NumberOperand(Field, Operator, Operands);

    private static double NumberOperand(string field, RuleOperator op, IReadOnlyList<string> operands)
    {
        var needs = op is RuleOperator.Exists or RuleOperator.Missing ? 0 : 1;
        if (operands.Count < needs) throw new ArgumentException($"'{op}' on '{field}' needs an operand", nameof(operands));
        if (!IsNumeric(op)) return double.NaN;
        if (!ValueParsing.TryNumber(operands[0], out var n)) throw new ArgumentException($"'{op}' on '{field}' needs a number, not '{operands[0]}'", nameof(operands));
        return n;
    }

    private bool Compare(double x, double n) => Operator switch
    {
        RuleOperator.Gt => x > n,
        RuleOperator.Gte => x >= n,
        RuleOperator.Lt => x < n,
        RuleOperator.Lte => x <= n,
        _ => throw new InvalidOperationException($"{Operator} is not a numeric operator"),
    };

    public override string Describe() => Operator switch
    {
        RuleOperator.Eq => $"{Field} is {Operands[0]}",
        RuleOperator.In => $"{Field} is one of {string.Join(", ", Operands)}",
        RuleOperator.Gt => $"{Field} > {Operands[0]}",
        RuleOperator.Gte => $"{Field} >= {Operands[0]}",
        RuleOperator.Lt => $"{Field} < {Operands[0]}",
        RuleOperator.Lte => $"{Field} <= {Operands[0]}",
        RuleOperator.Contains => $"{Field} contains {string.Join(" or ", Operands.Select(o => $"'{o}'"))}",
        RuleOperator.Exists => $"{Field} is known",
        _ => $"{Field} is missing",
    };
}

public sealed record AllCondition(IReadOnlyList<Condition> Conditions) : Condition
{
    public override IEnumerable<FieldCondition> FieldTests => Conditions.SelectMany(c => c.FieldTests);
    internal override bool Matches(LeadValues lead)
    {
        for (var i = 0; i < Conditions.Count; i++)
            if (!Conditions[i].Matches(lead)) return false;
        return true;
    }

    public override string Describe() => string.Join(" and ", Conditions.Select(c => c.DescribeNested()));
}

public sealed record AnyCondition(IReadOnlyList<Condition> Conditions) : Condition
{
    public override IEnumerable<FieldCondition> FieldTests => Conditions.SelectMany(c => c.FieldTests);
    internal override bool Matches(LeadValues lead)
    {
        for (var i = 0; i < Conditions.Count; i++)
            if (Conditions[i].Matches(lead)) return true;
        return false;
    }

    public override string Describe() => string.Join(" or ", Conditions.Select(c => c.DescribeNested()));
}

/// <summary>Negation; note that <c>not (x is yes)</c> matches a lead whose x is missing.</summary>
public sealed record NotCondition(Condition Condition) : Condition
{
    public override IEnumerable<FieldCondition> FieldTests => Condition.FieldTests;
    internal override bool Matches(LeadValues lead) => !Condition.Matches(lead);
    public override string Describe() => $"not ({Condition.Describe()})";
}
