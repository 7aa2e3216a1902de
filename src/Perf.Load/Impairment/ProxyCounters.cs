namespace Perf.Load.Impairment;

/// <summary>The live counters behind <see cref="ImpairmentCounters"/>: written by the proxy's threads, read by any.</summary>
internal sealed class ProxyCounters
{
    private long _connections;
    private long _open;
    private long _bytesUp;
    private long _bytesDown;
    private long _resets;
    private long _peerResets;
    private long _stallDelays;
    private long _lossDelays;
    private long _upstreamFailures;
    private long _loopCpuTicks;
    private long _loopAllocatedBytes;

    public void Accepted() => Interlocked.Increment(ref _connections);

    public void Opened() => Interlocked.Increment(ref _open);

    public void Closed() => Interlocked.Decrement(ref _open);

    public void Carried(bool up, int bytes) => Interlocked.Add(ref up ? ref _bytesUp : ref _bytesDown, bytes);

    public void Reset() => Interlocked.Increment(ref _resets);

    public void PeerReset() => Interlocked.Increment(ref _peerResets);

    public void StallDelay() => Interlocked.Increment(ref _stallDelays);

    public void LossDelay() => Interlocked.Increment(ref _lossDelays);

    public void UpstreamFailure() => Interlocked.Increment(ref _upstreamFailures);

    /// <summary>Called by the loop thread about itself: its CPU time and the bytes it has allocated.</summary>
    public void LoopSample(TimeSpan cpu, long allocatedBytes)
    {
        Volatile.Write(ref _loopCpuTicks, cpu.Ticks);
        Volatile.Write(ref _loopAllocatedBytes, allocatedBytes);
    }

    /// <summary>Bytes the loop thread had allocated at its last sample (tests assert none per chunk).</summary>
    public long LoopAllocatedBytes => Volatile.Read(ref _loopAllocatedBytes);

    public ImpairmentCounters Read() => new(
        Volatile.Read(ref _connections),
        Volatile.Read(ref _open),
        Volatile.Read(ref _bytesUp),
        Volatile.Read(ref _bytesDown),
        Volatile.Read(ref _resets),
        Volatile.Read(ref _peerResets),
        Volatile.Read(ref _stallDelays),
        Volatile.Read(ref _lossDelays),
        Volatile.Read(ref _upstreamFailures),
        TimeSpan.FromTicks(Volatile.Read(ref _loopCpuTicks)));
}
