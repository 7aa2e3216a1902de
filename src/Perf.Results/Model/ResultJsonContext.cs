using System.Text.Json.Serialization;

namespace Perf.Results.Model;

/// <summary>Source-generated System.Text.Json metadata for the result files: snake_case names, nulls omitted, indented, numbers finite.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    AllowTrailingCommas = false,
    Converters = [typeof(FiniteDoubleConverter)])]
[JsonSerializable(typeof(PerfResult))]
public sealed partial class ResultJsonContext : JsonSerializerContext
{
}
