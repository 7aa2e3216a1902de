namespace Relay.Protocol.Threading;

/// <summary>A wake-up that <see cref="ReadBatchWakes"/> can hold until the batch it was released in closes.</summary>
public interface IDeferredWake
{
    /// <summary>Runs the woken loop on the calling thread (the batch's reading thread, as it closes the batch).</summary>
    void WakeNow();
}
