using Relay.Crypto.KeyAgreement;

namespace Relay.Server.Tests;

/// <summary>
/// Test classes that run alone, after the others: OpenTelemetry listens to every meter named
/// Relay.Server in the process (relays of tests beside would add to the counts), and process-wide
/// memory readings need quiet.
/// </summary>
[CollectionDefinition(nameof(RunsAloneCollection), DisableParallelization = true)]
public sealed class RunsAloneCollection;

/// <summary>The Relay.Server meter as Prometheus text at /metrics on the WebSocket listener.</summary>
[Collection(nameof(RunsAloneCollection))]
public sealed class RelayPrometheusTests
{
    [Fact]
    public async Task Metrics_are_served_as_prometheus_text_on_the_websocket_listener_and_count_what_happened()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { PrometheusMetrics = true });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using (var alice = await relay.TcpAsync(aliceKey))
        {
            await alice.SendAndExpectAcceptedAsync(1, bobKey, [1, 2, 3]);
            await alice.SendAndExpectAcceptedAsync(2, bobKey, [4]);
        }

        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{relay.Server.WebSocketEndPoint}/metrics"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE relay_messages_accepted_total counter", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^relay_messages_accepted_total(\{[^}]*\})? 2( |$)", text);
        Assert.Contains("relay_mailbox_depth", text, StringComparison.Ordinal);
        Assert.Contains("relay_connections", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_option_there_is_no_metrics_endpoint()
    {
        await using var relay = await TestRelay.StartAsync();
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{relay.Server.WebSocketEndPoint}/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
