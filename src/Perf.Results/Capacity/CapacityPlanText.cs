namespace Perf.Results.Capacity;

/// <summary>A plan as a person reads it: the load, each fleet's terms and limits with their formulas (the binding one marked), warnings, assumptions, one result line.</summary>
public static class CapacityPlanText
{
    /// <summary>Writes <paramref name="plan"/> to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, CapacityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(plan);
        output.WriteLine($"Store measured: {plan.Store}");
        output.WriteLine("Load:");
        Terms(output, plan.Load);
        Fleet(output, plan.Relay);
        if (plan.Nats is { } nats)
        {
            Fleet(output, nats);
        }
        else
        {
            output.WriteLine($"NATS nodes: {plan.NatsNote}");
        }

        if (plan.Warnings.Count > 0)
        {
            output.WriteLine("Warnings:");
            foreach (var line in plan.Warnings) output.WriteLine($"  ! {line}");
        }

        output.WriteLine("Assumptions:");
        foreach (var line in plan.Assumptions) output.WriteLine($"  - {line}");
        output.WriteLine($"Result: {Summary(plan.Relay)}{(plan.Nats is { } n ? $"; {Summary(n)}" : "")}.");
    }

    private static void Fleet(TextWriter output, FleetPlan fleet)
    {
        output.WriteLine($"{fleet.Name} nodes, terms:");
        Terms(output, fleet.Terms);
        output.WriteLine($"{fleet.Name} nodes, one limit at a time (the largest binds):");
        foreach (var limit in fleet.Limits)
        {
            output.WriteLine($"  {limit.Resource,-12} {limit.Formula}{(limit.Resource == fleet.Binding && limit.Nodes == fleet.NodesNeeded ? "   <- binding" : "")}");
        }

        output.WriteLine($"  {"nodes",-12} = {fleet.NodesNeeded}{(fleet.Nodes > fleet.NodesNeeded ? $", + 1 spare (N+1) = {fleet.Nodes}" : "")}");
    }

    private static void Terms(TextWriter output, IReadOnlyList<PlanTerm> terms)
    {
        var width = 0;
        foreach (var term in terms) width = Math.Max(width, term.Name.Length);
        foreach (var term in terms) output.WriteLine($"  {term.Name.PadRight(width)}  {term.Formula}");
    }

    private static string Summary(FleetPlan fleet) =>
        $"{fleet.Nodes} {fleet.Name} node(s), bound by {LimitName(fleet.Binding)}{(fleet.Nodes > fleet.NodesNeeded ? " (with one spare)" : "")}";

    private static string LimitName(string resource) => resource switch
    {
        "cpu" => "CPU",
        "connections" => "connections per node",
        "replicas" => "one node per replica",
        _ => resource,
    };
}
