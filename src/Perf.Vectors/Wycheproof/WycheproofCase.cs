using System.Text.Json;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// One test of a Wycheproof file (<c>testGroups[].tests[]</c>) with its group, and typed access to
/// its fields. A missing or mistyped field throws <see cref="FormatException"/> naming the case;
/// <see cref="VectorRunner"/> adds the file name.
/// </summary>
internal readonly record struct WycheproofCase(JsonElement Group, JsonElement Test)
{
    /// <summary>The case's <c>tcId</c>, for error messages.</summary>
    public string Id => Test.TryGetProperty("tcId", out var id) ? id.GetRawText() : "?";

    /// <summary>The expected verdict.</summary>
    public WycheproofResult Result => String("result") switch
    {
        "valid" => WycheproofResult.Valid,
        "invalid" => WycheproofResult.Invalid,
        "acceptable" => WycheproofResult.Acceptable,
        var other => throw Error($"'result' is '{other}'; expected valid, invalid or acceptable"),
    };

    /// <summary>A hex field of the test, decoded.</summary>
    public byte[] Hex(string name)
    {
        var text = String(name);
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw Error($"field '{name}' is not hex");
        }
    }

    /// <summary>A string field of the test.</summary>
    public string String(string name) =>
        Test.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Error($"field '{name}' is missing or not a string");

    /// <summary>An integer field of the test.</summary>
    public int TestInt(string name) => Int(Test, name, "field");

    /// <summary>An integer field of the test's group (<c>tagSize</c>, <c>keySize</c>).</summary>
    public int GroupInt(string name) => Int(Group, name, "group field");

    /// <summary>A string field of the test's group, or <c>null</c> when absent.</summary>
    public string? GroupString(string name) =>
        Group.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A format error naming this case.</summary>
    public FormatException Error(string detail) => new($"test case tcId {Id}: {detail}");

    private int Int(JsonElement owner, string name, string what) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Error($"{what} '{name}' is missing or not a 32-bit integer");
}
