using System.Diagnostics;

namespace Perf.Load.Processes;

/// <summary>Building a child's command line.</summary>
public static class StartInfoExtensions
{
    /// <summary>Appends <paramref name="arguments"/> to <paramref name="start"/>'s argument list (each passed as one argument, no quoting needed); returns <paramref name="start"/>.</summary>
    public static ProcessStartInfo AddArguments(this ProcessStartInfo start, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
