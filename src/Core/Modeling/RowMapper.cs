using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Modeling;

/// <summary>Picks a schema's feature fields (in plan order) out of CSV rows, turning missing tokens into null.</summary>
public sealed class RowMapper
{
    private readonly LeadSchema _schema;
    private readonly int[] _index;
    public IReadOnlyList<string> Fields { get; }

    public RowMapper(LeadSchema schema, IReadOnlyList<string> headers, string source, IReadOnlyList<string>? fields = null)
    {
        _schema = schema;
        Fields = fields ?? schema.FeatureColumns.Select(c => c.Name).ToArray();
        _index = Fields.Select(f => CsvText.RequireColumn(headers, f, "feature", source)).ToArray();
    }

    public string?[] Map(string[] raw)
    {
        var v = new string?[_index.Length];
        for (var f = 0; f < _index.Length; f++) v[f] = _schema.IsMissing(raw[_index[f]]) ? null : raw[_index[f]];
        return v;
    }
}
