namespace Perf.Cli.Relay;

/// <summary>
/// .NET's socket engine hands every completed socket operation to the thread pool unless
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, in which case the epoll thread runs it
/// (one such thread per core). With the relay's inline scheduling that puts a message's whole
/// path (read, decrypt, route, the recipient's write) on the thread that saw it arrive.
/// </summary>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's variable.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on for this process unless its environment already says either
    /// way. The engine reads the variable once, when the process makes its first asynchronous
    /// socket call, so this runs before the relay (or its store) opens any socket.
    /// </summary>
    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
