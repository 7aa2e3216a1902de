namespace Perf.Results;

/// <summary>
/// Input that cannot be used: a missing, malformed or wrong-schema file, or a value out of range.
/// The message is one line meant for the terminal, so callers print it and exit with "bad input".
/// </summary>
public sealed class BadInputException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public BadInputException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the underlying cause.</summary>
    public BadInputException(string message, Exception inner) : base(message, inner) { }
}
