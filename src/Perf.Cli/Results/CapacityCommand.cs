using System.CommandLine;
using System.Text.Json;
using Perf.Results;
using Perf.Results.Capacity;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Cli.Results;

/// <summary><c>perf capacity</c>: relay nodes needed for a user population, from a load result with a target section (CPU per message, memory per connection).</summary>
internal static class CapacityCommand
{
    public static Command Create()
    {
        var result = new Option<string>("--result") { Description = "A perf-result/1 file whose target ran in its own process (perf load --target-process --idle-connections N, with or without --find-max).", Required = true };
        var users = new Option<long>("--users") { Description = "Registered users.", Required = true };
        var fraction = new Option<double>("--concurrent-fraction") { Description = "Fraction of users connected at peak, in (0, 1].", Required = true };
        var messages = new Option<double>("--msgs-per-user-per-day") { Description = "Messages each user sends per day.", Required = true };
        var peakFactor = new Option<double>("--peak-factor") { Description = "Peak rate over the daily average rate (>= 1).", Required = true };
        var size = new Option<int>("--size") { Description = "Message size in bytes (at most the measured size).", Required = true };
        var slo = new Option<string>("--slo") { Description = "Latency objective, e.g. p99=50ms; the result must have been measured at this SLO or a stricter one.", Required = true };
        var headroom = new Option<string>("--headroom") { Description = "Spare fraction of every resource.", DefaultValueFactory = _ => "30%" };
        var coresPerNode = new Option<double?>("--cores-per-node") { Description = "Cores per relay node (default: the measured machine's)." };
        var memoryPerNode = new Option<long?>("--memory-per-node") { Description = "Memory per relay node in bytes (default: the measured machine's)." };
        var outPath = new Option<string?>("--out") { Description = "Also write the plan as JSON to this file." };
        var command = new Command("capacity", "Plan relay capacity (connections, peak msg/s, cores, nodes, binding resource) from a load result's CPU per message and memory per connection.")
        {
            result, users, fraction, messages, peakFactor, size, slo, headroom, coresPerNode, memoryPerNode, outPath,
        };
        command.SetAction(parseResult => ResultsAction.Run("capacity", parseResult.InvocationConfiguration.Error, () =>
        {
            var inputs = new CapacityInputs
            {
                Users = parseResult.GetValue(users),
                ConcurrentFraction = parseResult.GetValue(fraction),
                MessagesPerUserPerDay = parseResult.GetValue(messages),
                PeakFactor = parseResult.GetValue(peakFactor),
                SizeBytes = parseResult.GetValue(size),
                Slo = Slo.Parse(parseResult.GetValue(slo)!),
                Headroom = Percent.Parse(parseResult.GetValue(headroom)!, "--headroom"),
                CoresPerNode = parseResult.GetValue(coresPerNode),
                MemoryPerNodeBytes = parseResult.GetValue(memoryPerNode),
            };
            inputs.Validate();
            string resultPath = parseResult.GetValue(result)!;
            PerfResult measured = ResultFile.Read(resultPath);
            CapacityPlan plan;
            try
            {
                plan = CapacityPlanner.Plan(measured, inputs);
            }
            catch (BadInputException e) when (!e.Message.StartsWith("--", StringComparison.Ordinal))
            {
                // Problems with the result (not with an option) name the file they come from.
                throw new BadInputException($"{resultPath}: {e.Message}", e);
            }

            Print(parseResult.InvocationConfiguration.Output, plan);
            if (parseResult.GetValue(outPath) is { } path)
            {
                OutputFile.Write(path, JsonSerializer.Serialize(plan, CapacityJsonContext.Default.CapacityPlan) + "\n");
            }

            return PerfCommandLine.Ok;
        }));
        return command;
    }

    private static void Print(TextWriter output, CapacityPlan plan)
    {
        output.WriteLine("Assumptions:");
        foreach (var line in plan.Assumptions) output.WriteLine($"  - {line}");
        output.WriteLine("Formulas:");
        foreach (var line in plan.Formulas) output.WriteLine($"  {line}");
        output.WriteLine($"Result: {plan.Nodes} relay node(s), bound by {plan.Binding} (msg/s per core from {(plan.MsgsPerSPerCoreSource == "saturation" ? "the saturation search" : "CPU per message")}){(plan.NatsNodes is { } nats ? $", and {nats} NATS node(s) for JetStream from their measured CPU per message" : "")}.");
    }
}
