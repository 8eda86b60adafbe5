using FsCheck;
using FsCheck.Fluent;

namespace LeadPropensity.Tests;

/// <summary>Generators for property tests (compiled into the test projects that use FsCheck).</summary>
internal static class TextGen
{
    /// <summary>Text made of any number of the given pieces, so that the characters a test cares about are common.</summary>
    public static Gen<string> Of(params string[] pieces) => Gen.Elements(pieces).ListOf().Select(parts => string.Concat(parts));
}
