using System.Text.Json;

namespace LeadPropensity.Serving.Extensions;

/// <summary>
/// Reading names and strings of a parsed JSON document without the 500 that System.Text.Json's
/// <see cref="InvalidOperationException"/> would cause for text that cannot be a .NET string (an unpaired surrogate
/// escape such as <c>\ud800</c>): the caller reports <see cref="Invalid"/> for the field instead.
/// </summary>
public static class JsonText
{
    public const string Invalid = "is not valid text: it has an unpaired UTF-16 surrogate escape (such as \\ud800)";

    public static bool TryGetName(this JsonProperty property, out string name)
    {
        try { name = property.Name; return true; }
        catch (InvalidOperationException) { name = ""; return false; }
    }

    /// <summary>The string value of a <see cref="JsonValueKind.String"/> element, or false when it is not valid text.</summary>
    public static bool TryGetText(this JsonElement element, out string? text)
    {
        try { text = element.GetString(); return true; }
        catch (InvalidOperationException) { text = null; return false; }
    }

    /// <summary>The reader's current string token, or false when it is not valid text.</summary>
    public static bool TryGetText(this ref Utf8JsonReader reader, out string? text)
    {
        try { text = reader.GetString(); return true; }
        catch (InvalidOperationException) { text = null; return false; }
    }
}
