using System.CommandLine;
using System.Text.Json;
using Perf.Load;
using Perf.Load.Idle;
using Perf.Results;
using Perf.Results.Capacity;
using Perf.Results.Files;
using Perf.Results.Model;
using Relay.Server;

namespace Perf.Cli.Results;

/// <summary><c>perf capacity</c>: relay (and NATS) nodes for a user population, from a load result with a target section, every limit with its formula.</summary>
internal static class CapacityCommand
{
    public static Command Create()
    {
        var relayDefaults = new RelayOptions();
        var result = new Option<string>("--result") { Description = "A perf-result/1 file whose target ran in its own process (perf load --target-process --idle-connections N --reconnect-storm N, with or without --find-max).", Required = true };
        var users = new Option<long>("--users") { Description = "Registered users.", Required = true };
        var fraction = new Option<double>("--concurrent-fraction") { Description = "Fraction of users connected at peak, in (0, 1].", Required = true };
        var messages = new Option<double>("--msgs-per-user-per-day") { Description = "Messages each user sends per day.", Required = true };
        var peakFactor = new Option<double>("--peak-factor") { Description = "Peak rate over the daily average rate (>= 1).", Required = true };
        var size = new Option<int>("--size") { Description = "Message size in bytes (at most the measured size).", Required = true };
        var slo = new Option<string>("--slo") { Description = "Latency objective, e.g. p99=50ms; the result must have been measured at this SLO or a stricter one.", Required = true };
        var headroom = new Option<string>("--headroom") { Description = "Spare fraction of every resource.", DefaultValueFactory = _ => "30%" };
        var keepAlive = new Option<string>("--keep-alive") { Description = "Silence after which a client PINGs (the clients' interval).", DefaultValueFactory = _ => $"{IdleConnectionPool.KeepAliveInterval.TotalSeconds:0}s" };
        var reconnectFraction = new Option<string>("--reconnect-fraction") { Description = "Fraction of connections that reconnect in one storm (0% for none).", DefaultValueFactory = _ => "10%" };
        var reconnectWindow = new Option<string>("--reconnect-window") { Description = "The time a storm's reconnections arrive over.", DefaultValueFactory = _ => "60s" };
        var maxConnections = new Option<long>("--max-connections") { Description = "A relay node's --max-connections.", DefaultValueFactory = _ => relayDefaults.MaxConnections };
        var descriptors = new Option<long>("--descriptors-per-node") { Description = "Descriptors a relay process may open (RLIMIT_NOFILE); one per connection.", DefaultValueFactory = _ => 1_048_576 };
        var heldFraction = new Option<string?>("--held-fraction") { Description = "Fraction of messages whose recipient is offline (default: 1 - the concurrent fraction)." };
        var retention = new Option<string>("--retention") { Description = "How long a held message waits for its recipient (default: the relay's --max-age, the most).", DefaultValueFactory = _ => $"{relayDefaults.Mailbox.MaxAge.TotalHours:0}h" };
        var nPlusOne = new Option<bool>("--n-plus-one") { Description = "One spare node per fleet, so losing any one keeps the plan." };
        var maxExtrapolation = new Option<double>("--max-extrapolation") { Description = "How many times the measured idle connections (or held messages) one node may hold before the plan refuses.", DefaultValueFactory = _ => CapacityInputs.DefaultMaxMemoryExtrapolation };
        var coresPerNode = new Option<double?>("--cores-per-node") { Description = "Cores per node (default: the measured machine's)." };
        var memoryPerNode = new Option<string?>("--memory-per-node") { Description = "Memory per node, e.g. 64GiB (default: the measured machine's)." };
        var diskPerNode = new Option<string?>("--disk-per-node") { Description = "Disk per NATS node, e.g. 2TiB (default: the plan says what each needs)." };
        var outPath = new Option<string?>("--out") { Description = "Also write the plan as JSON to this file." };
        var command = new Command("capacity", "Plan relay and NATS nodes for a population from a load result: every limit (CPU for messages, keep-alives and reconnects; memory with the kernel's; connections per node; NATS CPU, memory, disk) with its formula, the binding one named.")
        {
            result, users, fraction, messages, peakFactor, size, slo, headroom, keepAlive, reconnectFraction, reconnectWindow, maxConnections, descriptors,
            heldFraction, retention, nPlusOne, maxExtrapolation, coresPerNode, memoryPerNode, diskPerNode, outPath,
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
                KeepAliveInterval = Duration(parseResult.GetValue(keepAlive), "--keep-alive"),
                ReconnectFraction = Percent.Parse(parseResult.GetValue(reconnectFraction)!, "--reconnect-fraction"),
                ReconnectWindow = Duration(parseResult.GetValue(reconnectWindow), "--reconnect-window"),
                MaxConnectionsPerNode = parseResult.GetValue(maxConnections),
                DescriptorsPerNode = parseResult.GetValue(descriptors),
                HeldFraction = parseResult.GetValue(heldFraction) is { } held ? Percent.Parse(held, "--held-fraction") : null,
                Retention = Duration(parseResult.GetValue(retention), "--retention"),
                NPlusOne = parseResult.GetValue(nPlusOne),
                MaxMemoryExtrapolation = parseResult.GetValue(maxExtrapolation),
                CoresPerNode = parseResult.GetValue(coresPerNode),
                MemoryPerNodeBytes = parseResult.GetValue(memoryPerNode) is { } memory ? Units.ParseBytes(memory, "--memory-per-node") : null,
                DiskPerNodeBytes = parseResult.GetValue(diskPerNode) is { } disk ? Units.ParseBytes(disk, "--disk-per-node") : null,
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

            CapacityPlanText.Write(parseResult.InvocationConfiguration.Output, plan);
            if (parseResult.GetValue(outPath) is { } path)
            {
                OutputFile.Write(path, JsonSerializer.Serialize(plan, CapacityJsonContext.Default.CapacityPlan) + "\n");
            }

            return PerfCommandLine.Ok;
        }));
        return command;
    }

    private static TimeSpan Duration(string? text, string option) =>
        DurationText.TryParse(text, out var duration) ? duration : throw new BadInputException($"{option}: '{text}' is not a time such as 60s, 5m or 168h");
}
