namespace Perf.Load.Targets;

/// <summary>
/// Something the load generator sends messages through: this project's relay over TCP or
/// WebSocket, a NATS server, or the raw <c>echo</c> forwarder. A target opens its connections,
/// runs their receive loops, and reports every arrival to the <see cref="LoadTargetContext"/>.
/// </summary>
public interface ILoadTarget : IAsyncDisposable
{
    /// <summary>The target's scheme name as <c>--target</c> spells it: <c>relay-tcp</c>, <c>relay-ws</c>, <c>nats</c>, <c>echo</c>.</summary>
    string Name { get; }

    /// <summary>Which latency stages this target has (<c>echo</c> has no E2E seal or open).</summary>
    LoadStages Stages { get; }

    /// <summary>Opens <see cref="LoadTargetContext.Connections"/> connections and starts their receive loops.</summary>
    /// <exception cref="LoadTargetException">The target is unreachable or refused the connection; the message says how to fix it.</exception>
    Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken);
}

/// <summary>One client connection of a target. Called by the generator's single scheduling thread.</summary>
public interface ILoadConnection
{
    /// <summary>
    /// Builds, seals (where the target has E2E) and writes one message into the connection's
    /// outgoing buffer without flushing. The payload's first <see cref="LoadPayload.HeaderSize"/>
    /// bytes carry <paramref name="sequence"/> and <paramref name="intendedTicks"/>.
    /// </summary>
    void Write(long sequence, long intendedTicks, bool measured);

    /// <summary>Sends what <see cref="Write"/> buffered. Completes synchronously unless the transport pushes back.</summary>
    ValueTask FlushAsync();
}

/// <summary>Stages a target can measure.</summary>
[Flags]
public enum LoadStages
{
    /// <summary>Only forwarding and end-to-end latency.</summary>
    None = 0,

    /// <summary>The sender seals end to end.</summary>
    Seal = 1,

    /// <summary>The recipient opens end to end.</summary>
    Open = 2,
}

/// <summary>A target could not be used; the message is one line saying what and how to fix it.</summary>
public sealed class LoadTargetException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public LoadTargetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and the underlying cause.</summary>
    public LoadTargetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
