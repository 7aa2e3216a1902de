using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// Where <c>nats-server</c> is: <c>PERF_NATS_SERVER</c>, else on PATH or in /usr/sbin and
/// /usr/local/bin (Debian's package installs /usr/sbin/nats-server); and the one message that says
/// how to install it.
/// </summary>
public static class NatsServerBinary
{
    /// <summary>Environment variable naming the nats-server binary.</summary>
    public const string EnvironmentVariable = "PERF_NATS_SERVER";

    /// <summary>What to do when there is none: the message of <see cref="Require"/>, and the reason tests skip.</summary>
    public const string NotInstalled = $"nats-server is not installed: install it (Debian: apt-get install nats-server) or set {EnvironmentVariable} to its path.";

    /// <summary>The nats-server binary, or <c>null</c> when none is installed.</summary>
    public static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(dir, "nats-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The nats-server binary.</summary>
    /// <exception cref="LoadTargetException">None is installed: <see cref="NotInstalled"/>.</exception>
    public static string Require() => Find() ?? throw new LoadTargetException(NotInstalled);
}
