using System.Text.Json;
using Json.Schema;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Results.Tests.Fixtures;

namespace Perf.Results.Tests;

/// <summary>The writer and the published JSON Schema must agree: every written file validates, broken ones do not.</summary>
public sealed class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(SchemaFile.Path()));

    private static bool IsValid(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true }).IsValid;
    }

    [Fact]
    public void A_full_result_validates()
    {
        Assert.True(IsValid(ResultFile.ToJson(ResultFixture.Load())));
    }

    [Fact]
    public void A_minimal_result_validates()
    {
        var minimal = ResultFixture.Load() with
        {
            FindMax = null,
            Relay = null,
            Environment = ResultFixture.Load().Environment with { GitCommit = null, MemoryBytes = null },
            Metrics = new LoadMetrics { Sent = 1, Accepted = 1, Delivered = 1, Rejected = 0, Lost = 0, ThroughputMsgsPerS = 1 },
        };

        Assert.True(IsValid(ResultFile.ToJson(minimal)));
    }

    [Fact]
    public void The_captured_environment_validates()
    {
        var result = ResultFixture.Load() with { Environment = EnvironmentInfo.Capture("libsodium", "chacha20poly1305", includeMachineName: true) };

        Assert.True(IsValid(ResultFile.ToJson(result)));
    }

    [Fact]
    public void A_k6_result_needs_only_backend_and_cipher_in_its_environment()
    {
        var k6 = ResultFixture.Load() with { Tool = "k6", Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" } };
        var json = ResultFile.ToJson(k6);

        Assert.True(IsValid(json));
        Assert.DoesNotContain("cpu_model", json, StringComparison.Ordinal);
        Assert.False(IsValid(json.Replace("\"tool\": \"k6\"", "\"tool\": \"perf\"", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("\"schema\": \"perf-result/1\"", "\"schema\": \"perf-result/2\"")]
    [InlineData("\"arrival\": \"poisson\"", "\"arrival\": \"burst\"")]
    [InlineData("\"p99\": 900,", "\"p99\": \"fast\",")]
    [InlineData("\"sent\": 600000,", "")]
    [InlineData("\"lost\": 10,", "\"lost\": 10, \"password\": \"x\",")]
    public void Broken_results_do_not_validate(string find, string replace)
    {
        string json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);

        Assert.False(IsValid(json.Replace(find, replace, StringComparison.Ordinal)));
    }
}
