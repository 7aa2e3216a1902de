using System.Text;
using System.Text.Json.Serialization.Metadata;
using Perf.Results;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The <c>perf-result/1</c> reader (<see cref="ResultFile.Parse"/>) on a file's text, decoded as
/// <see cref="File.ReadAllText(string)"/> decodes it. Contract: only <see cref="BadInputException"/>;
/// a document that reads writes back (<see cref="ResultFile.ToJson"/>) to JSON that reads again to
/// the same JSON, so what <c>perf compare</c> or <c>perf gate</c> accepted survives a rewrite.
/// </summary>
internal sealed class ResultFileTarget : FuzzTarget
{
    /// <inheritdoc />
    public override string Name => "result-file";

    /// <inheritdoc />
    public override string Description => "ResultFile.Parse on any file: BadInputException or a result that writes and reads back unchanged";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        using var reader = new StreamReader(new MemoryStream(input.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = reader.ReadToEnd();
        PerfResult result;
        try
        {
            result = ResultFile.Parse(text, "fuzz.json");
        }
        catch (BadInputException)
        {
            return;
        }

        var json = ResultFile.ToJson(result);
        PerfResult again;
        try
        {
            again = ResultFile.Parse(json, "rewritten.json");
        }
        catch (BadInputException e)
        {
            throw new ContractViolation($"a result that read does not read once written back: {e.Message}");
        }

        ContractViolation.Require(ResultFile.ToJson(again) == json, "a result written back and read again writes different JSON");
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        var full = SampleResults.Full();
        yield return Json("full", ResultFile.ToJson(full));
        yield return Json("k6-minimal", ResultFile.ToJson(SampleResults.K6Minimal()));
        yield return Json("wrong-schema", ResultFile.ToJson(full with { Schema = "perf-result/2" }));
        yield return Json("no-connections", ResultFile.ToJson(full with { Scenario = full.Scenario with { Connections = 0 } }));
        yield return Json("truncated", ResultFile.ToJson(full)[..200]);
        yield return Json("null-document", "null");
    }

    /// <inheritdoc />
    public override IEnumerable<string> DictionaryTokens()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        CollectPropertyNames(ResultJsonContext.Default.PerfResult, names, []);
        foreach (var name in names)
        {
            yield return $"\"{name}\":";
        }

        foreach (var literal in (string[])["\"perf-result/1\"", "\"load\"", "\"perf\"", "\"k6\"", "\"constant\"", "\"poisson\"", "\"p99\"", "\"p9999\"", "true", "false", "null", "-1", "1e308", "0.5", "\"2026-01-02T03:04:05+00:00\"", "\\u0000", "\\ud800", "[]", "{}"])
        {
            yield return literal;
        }
    }

    private static Seed Json(string name, string json) => new(name + ".json", Encoding.UTF8.GetBytes(json));

    // Every JSON property name the result schema has, from the source-generated metadata.
    private static void CollectPropertyNames(JsonTypeInfo type, SortedSet<string> names, HashSet<Type> seen)
    {
        if (!seen.Add(type.Type))
        {
            return;
        }

        foreach (var property in type.Properties)
        {
            names.Add(property.Name);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var elementType = propertyType.IsGenericType ? propertyType.GetGenericArguments()[0] : propertyType;
            if (ResultJsonContext.Default.GetTypeInfo(elementType) is { Kind: JsonTypeInfoKind.Object } nested)
            {
                CollectPropertyNames(nested, names, seen);
            }
        }
    }
}
