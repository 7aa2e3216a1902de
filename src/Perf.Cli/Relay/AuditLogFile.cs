namespace Perf.Cli.Relay;

/// <summary>Checks an <c>--audit-log</c> path before the relay starts, so a bad path is one line and exit 2.</summary>
internal static class AuditLogFile
{
    /// <summary>Whether the file can be opened for appending (created if absent); if not, <paramref name="problem"/> says why.</summary>
    public static bool CanAppend(string path, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = $"cannot append to {path}: {ex.Message}";
            return false;
        }
    }
}
