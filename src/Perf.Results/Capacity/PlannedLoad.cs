namespace Perf.Results.Capacity;

/// <summary>The load a population puts on the fleet at its busiest: connections, messages, keep-alives, a reconnect storm, messages held for offline recipients.</summary>
/// <param name="Connections">Concurrent connections: users × concurrent fraction.</param>
/// <param name="PeakMsgsPerS">Peak messages per second: users × msgs/user/day / 86400 × peak factor.</param>
/// <param name="KeepAlivesPerS">Keep-alive PINGs per second: connections / keep-alive interval.</param>
/// <param name="HandshakesPerS">Handshakes per second in a reconnect storm: fraction × connections / window.</param>
/// <param name="HeldMessages">Messages held at any time: msgs/day × held fraction × retention in days (Little's law).</param>
internal sealed record PlannedLoad(double Connections, double PeakMsgsPerS, double KeepAlivesPerS, double HandshakesPerS, double HeldMessages)
{
    private const double SecondsPerDay = 86_400;

    /// <summary>The load of <paramref name="inputs"/>; each quantity goes into <paramref name="terms"/> with its formula.</summary>
    public static PlannedLoad Of(CapacityInputs inputs, List<PlanTerm> terms)
    {
        var connections = inputs.Users * inputs.ConcurrentFraction;
        var daily = inputs.Users * inputs.MessagesPerUserPerDay;
        var peak = daily / SecondsPerDay * inputs.PeakFactor;
        var keepAlives = connections / inputs.KeepAliveInterval.TotalSeconds;
        var handshakes = inputs.ReconnectFraction * connections / inputs.ReconnectWindow.TotalSeconds;
        var held = daily * inputs.HeldFractionOrDefault * inputs.Retention.TotalDays;
        terms.Add(new("connections", connections, "connections", $"users × concurrent fraction = {Units.Count(inputs.Users)} × {Units.Significant(inputs.ConcurrentFraction)} = {Units.Count(connections)}"));
        terms.Add(new("peak messages", peak, "msgs/s", $"users × msgs/user/day / 86,400 s × peak factor = {Units.Count(inputs.Users)} × {Units.Significant(inputs.MessagesPerUserPerDay)} / 86,400 × {Units.Significant(inputs.PeakFactor)} = {Units.Rate(peak)}"));
        terms.Add(new("keep-alives", keepAlives, "PINGs/s", $"connections / keep-alive interval = {Units.Count(connections)} / {Seconds(inputs.KeepAliveInterval)} = {Units.Rate(keepAlives, "PINGs/s")} (every connection idle: the most there can be)"));
        terms.Add(new("reconnects", handshakes, "handshakes/s", $"reconnect fraction × connections / window = {Percent.Format(inputs.ReconnectFraction)} × {Units.Count(connections)} / {Seconds(inputs.ReconnectWindow)} = {Units.Rate(handshakes, "handshakes/s")}"));
        terms.Add(new("held messages", held, "messages", $"users × msgs/user/day × held fraction × retention = {Units.Count(inputs.Users)} × {Units.Significant(inputs.MessagesPerUserPerDay)} × {Percent.Format(inputs.HeldFractionOrDefault)} × {Units.Significant(inputs.Retention.TotalDays)} d = {Units.Scaled(held)} messages (Little's law: held = arrivals × time held)"));
        return new PlannedLoad(connections, peak, keepAlives, handshakes, held);
    }

    /// <summary>A duration as the plan prints it: <c>60 s</c>, <c>168 h</c>.</summary>
    public static string Seconds(TimeSpan time) => time.TotalSeconds < 3600
        ? Units.Significant(time.TotalSeconds) + " s"
        : Units.Significant(time.TotalHours) + " h";
}
