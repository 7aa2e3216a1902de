namespace Perf.Vectors;

/// <summary>
/// A vector file that cannot be run as written: invalid JSON, a missing or mistyped field, bad
/// hex. The message starts with the file's full path so a user can find and fix it.
/// </summary>
public sealed class VectorFormatException : Exception
{
    /// <summary>Creates the error for the file at <paramref name="filePath"/>.</summary>
    public VectorFormatException(string filePath, string detail, Exception? innerException = null)
        : base($"{filePath}: {detail}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The full path of the offending file.</summary>
    public string FilePath { get; }
}
