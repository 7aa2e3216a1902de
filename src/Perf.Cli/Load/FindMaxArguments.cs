using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Results;
using Perf.Results.Model;

namespace Perf.Cli.Load;

/// <summary><c>--find-max</c> and how it steps: the SLO every step is judged against and each step's measured time.</summary>
internal sealed class FindMaxArguments : OptionGroup
{
    private readonly Option<bool> _findMax = new("--find-max") { Description = "Step the rate up from --rate until the SLO, delivery or loss breaks; report the highest sustainable rate." };
    private readonly Option<string> _slo = new("--slo") { Description = "Latency objective for --find-max, e.g. p99=5ms.", DefaultValueFactory = _ => "p99=5ms" };
    private readonly Option<string> _stepDuration = new("--step-duration") { Description = "Measured time of each --find-max step.", DefaultValueFactory = _ => "5s" };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_findMax, _slo, _stepDuration];

    /// <summary>The search (<c>null</c> without <c>--find-max</c>); false with a one-line <paramref name="problem"/> for a bad SLO or step time.</summary>
    public bool TryRead(ParseResult parseResult, out (Slo Slo, FindMaxOptions Steps)? search, out string? problem)
    {
        search = null;
        problem = null;
        if (!parseResult.GetValue(_findMax))
        {
            return true;
        }

        Slo objective;
        try
        {
            objective = Slo.Parse(parseResult.GetValue(_slo)!);
        }
        catch (BadInputException ex)
        {
            problem = ex.Message;
            return false;
        }

        if (!DurationText.TryParse(parseResult.GetValue(_stepDuration), out var stepTime) || stepTime <= TimeSpan.Zero)
        {
            problem = "--step-duration takes a positive time such as 5s.";
            return false;
        }

        search = (objective, new FindMaxOptions(stepTime, TimeSpan.FromSeconds(Math.Min(2, stepTime.TotalSeconds / 2))));
        return true;
    }
}
