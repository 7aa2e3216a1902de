using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;

namespace Perf.Cli.Load;

/// <summary><c>perf load</c>'s scenario: how many connections send how much, how fast, for how long.</summary>
internal sealed class ScenarioArguments : OptionGroup
{
    private readonly Option<int> _connections = new("--connections") { Description = "Client connections.", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _rate = new("--rate") { Description = "Total arrival rate, messages per second.", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _size = new("--size") { Description = "Plaintext message size in bytes.", DefaultValueFactory = _ => 256 };
    private readonly Option<string> _duration = new("--duration") { Description = "Measured time: 30s, 2m, 500ms.", DefaultValueFactory = _ => "30s" };
    private readonly Option<string> _warmup = new("--warmup") { Description = "Warm-up before measuring.", DefaultValueFactory = _ => "5s" };
    private readonly Option<string> _arrival = new("--arrival") { Description = "constant or poisson.", DefaultValueFactory = _ => "constant" };

    /// <summary>The options.</summary>
    public ScenarioArguments() => _arrival.AcceptOnlyFromAmong("constant", "poisson");

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_connections, _rate, _size, _duration, _warmup, _arrival];

    /// <summary>The scenario, or <c>null</c> with a one-line <paramref name="problem"/>.</summary>
    public LoadScenario? Read(ParseResult parseResult, out string? problem)
    {
        if (!DurationText.TryParse(parseResult.GetValue(_duration), out var measured) || !DurationText.TryParse(parseResult.GetValue(_warmup), out var warm))
        {
            problem = "--duration and --warmup take a time such as 30s, 2m or 500ms.";
            return null;
        }

        var scenario = new LoadScenario
        {
            Connections = parseResult.GetValue(_connections),
            RatePerSecond = parseResult.GetValue(_rate),
            MessageSize = parseResult.GetValue(_size),
            Duration = measured,
            Warmup = warm,
            Arrival = parseResult.GetValue(_arrival) == "poisson" ? ArrivalProcess.Poisson : ArrivalProcess.Constant,
        };
        problem = scenario.Validate();
        return problem is null ? scenario : null;
    }
}
