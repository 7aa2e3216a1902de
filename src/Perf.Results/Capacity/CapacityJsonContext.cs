using System.Text.Json.Serialization;

namespace Perf.Results.Capacity;

/// <summary>Source-generated JSON metadata for capacity plans (snake_case, indented), written by <c>perf capacity --out</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(CapacityPlan))]
public sealed partial class CapacityJsonContext : JsonSerializerContext
{
}
