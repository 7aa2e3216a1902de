using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Relay;

/// <summary>What <c>perf relay</c> writes while it runs: a metrics line a second (<c>--metrics</c>), the audit log (<c>--audit-log</c>).</summary>
internal sealed class RelayOutputArguments : OptionGroup
{
    private readonly Option<bool> _metrics = new("--metrics") { Description = "Print a one-line metrics summary every second." };
    private readonly Option<string?> _auditLog = new("--audit-log") { Description = "Append one JSON line per accepted SEND/SEALED_SEND to this file: the relay's view of metadata (no secrets)." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_metrics, _auditLog];

    /// <summary>Whether to print metrics and the audit log's path (<c>null</c>: none); false with a one-line <paramref name="problem"/> when the log cannot be appended to.</summary>
    public bool TryRead(ParseResult parseResult, out (bool Metrics, string? AuditLog) output, out string? problem)
    {
        output = (parseResult.GetValue(_metrics), parseResult.GetValue(_auditLog));
        problem = null;
        if (output.AuditLog is { } path && !AuditLogFile.CanAppend(path, out var reason))
        {
            problem = $"--audit-log: {reason}";
            return false;
        }

        return true;
    }
}
