using Perf.Results;

namespace Perf.Cli.Results;

/// <summary>Writes report files, turning file-system failures into one-line bad-input errors.</summary>
internal static class OutputFile
{
    public static void Write(string path, string text) => Guard(path, () => File.WriteAllText(path, text));

    public static void Guard(string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot write: {e.Message}", e);
        }
    }
}
