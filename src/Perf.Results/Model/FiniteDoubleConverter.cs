using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perf.Results.Model;

/// <summary>
/// Reads JSON numbers into <see cref="double"/> only when they are finite. System.Text.Json reads
/// a number beyond double's range (<c>1e400</c>) as infinity, which JSON cannot carry: such a file
/// would read but fail when written back (found by the result-file fuzz target and ResultFilePropertyTests).
/// </summary>
public sealed class FiniteDoubleConverter : JsonConverter<double>
{
    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDouble();
        return double.IsFinite(value) ? value : throw new JsonException("a number is beyond the range of a double");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
