using Microsoft.Extensions.Logging;
using Relay.Server.Limits;
using Relay.Server.Metrics;

namespace Relay.Server.Logging;

/// <summary>
/// Every connection the relay refuses or closes for bad input or a limit is counted in /metrics by
/// reason and logged in one line (connection id, source address, reason; never an identity, a key
/// or a payload byte), at most <see cref="RelayOptions.CloseLogLinesPerSecond"/> lines in each
/// second: past that, the lines are counted instead, and one summary line says how many were left
/// out once the second is over (at the next close or the supervisor's next tick). So a flood adds
/// at most that many lines plus one a second to the log, and the counters still see every close.
/// </summary>
internal sealed partial class CloseLog
{
    private const long WindowMilliseconds = 1000;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;
    private readonly int _linesPerSecond;
    private readonly object _lock = new();
    private long _windowStart = Environment.TickCount64;
    private int _linesInWindow;
    private long _suppressed;
    private long _suppressedSince;

    public CloseLog(ILogger logger, RelayMetrics metrics, int linesPerSecond)
    {
        _logger = logger;
        _metrics = metrics;
        _linesPerSecond = linesPerSecond;
    }

    /// <summary>Counts the close and logs its line unless this second's lines are used up.</summary>
    public void Closed(CloseReason reason, string connectionId, SourceAddress source)
    {
        var (kind, tag, description) = CloseReasons.Describe(reason);
        var tags = new KeyValuePair<string, object?>("reason", tag);
        switch (kind)
        {
            case CloseKind.Refused:
                _metrics.ConnectionsRefused.Add(1, tags);
                break;
            case CloseKind.HandshakeFailed:
                _metrics.HandshakesFailed.Add(1, tags);
                break;
            default:
                _metrics.BadInput.Add(1, tags);
                break;
        }

        if (TakeLine(out var summary))
        {
            LogClosed(_logger, kind == CloseKind.Refused ? "refused" : "closed", connectionId, source, tag, description);
        }

        Summarize(summary);
    }

    /// <summary>Logs the summary of a second whose lines ran out, once that second is over (the supervisor calls it every tick).</summary>
    public void Flush()
    {
        (long Count, double Seconds) summary = default;
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (now - _windowStart >= WindowMilliseconds)
            {
                summary = TakeSummary(now);
            }
        }

        Summarize(summary);
    }

    // Whether this close gets a line; also hands back the summary of an earlier second that ran out.
    private bool TakeLine(out (long Count, double Seconds) summary)
    {
        summary = default;
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (now - _windowStart >= WindowMilliseconds)
            {
                summary = TakeSummary(now);
                _windowStart = now;
                _linesInWindow = 0;
            }

            if (_linesInWindow < _linesPerSecond)
            {
                _linesInWindow++;
                return true;
            }

            if (_suppressed++ == 0)
            {
                _suppressedSince = now;
            }

            return false;
        }
    }

    private (long Count, double Seconds) TakeSummary(long now)
    {
        var count = _suppressed;
        _suppressed = 0;
        return count == 0 ? default : (count, Math.Max(1, now - _suppressedSince) / 1000.0);
    }

    private void Summarize((long Count, double Seconds) summary)
    {
        if (summary.Count > 0)
        {
            LogSuppressed(_logger, summary.Count, summary.Seconds, _linesPerSecond);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Action} connection {ConnectionId} from {Source}: {Reason} ({Description})")]
    private static partial void LogClosed(ILogger logger, string action, string connectionId, SourceAddress source, string reason, string description);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Count} more refused or closed connections were not logged in the last {Seconds:F1} s (at most {Limit} lines a second); /metrics counts every one by reason")]
    private static partial void LogSuppressed(ILogger logger, long count, double seconds, int limit);
}
