using System.CommandLine;

namespace Perf.Cli.Options;

/// <summary>
/// The options of one concern of a command (its scenario, its target's placement, its limits),
/// declared together with the checks that read them: a new option goes into the group it belongs
/// to, and a command's definition lists its groups in the order <c>--help</c> shows them.
/// </summary>
internal abstract class OptionGroup
{
    /// <summary>The group's options, in the order <c>--help</c> shows them.</summary>
    public abstract IEnumerable<Option> All { get; }
}

/// <summary>Adding option groups to a command.</summary>
internal static class OptionGroupExtensions
{
    /// <summary>Adds every option of <paramref name="groups"/>, group by group, to <paramref name="command"/>; returns it.</summary>
    public static Command WithOptions(this Command command, params OptionGroup[] groups)
    {
        foreach (var group in groups)
        {
            foreach (var option in group.All)
            {
                command.Options.Add(option);
            }
        }

        return command;
    }
}
