using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Perf.Load.Probes;

/// <summary>
/// Makes a .NET process do one full, blocking garbage collection now, from outside, the way
/// <c>dotnet-gcdump</c> does: an EventPipe session over the process's diagnostics port that
/// enables the runtime's GCHeapCollect keyword, which the runtime answers by collecting on the
/// port's own thread before it confirms the session. Nothing in the target's code is involved, so a
/// relay has no endpoint that could do this. The soak reads memory right after it (the live set,
/// not wherever the collector's saw-tooth happens to be).
/// </summary>
public static class InducedFullCollection
{
    /// <summary>How long an induction may take before it is given up (the target busy or stopped).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    // The runtime provider's keyword that asks for a full collection (and nothing else: no events
    // are wanted, and no rundown, which would walk every method of the target).
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>
    /// Induces one full collection in process <paramref name="processId"/>; <c>false</c> when that
    /// is not a .NET process reachable over its diagnostics port (gone, another user's, diagnostics
    /// off), or it did not answer within <see cref="Patience"/>.
    /// </summary>
    public static async Task<bool> TryInduceAsync(int processId, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            var client = new DiagnosticsClient(processId);
            var providers = new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Informational, GcHeapCollectKeyword) };
            using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 1, patience.Token).ConfigureAwait(false);

            // The session's stream is read to its end, so the runtime never blocks writing it while it stops.
            var drain = session.EventStream.CopyToAsync(Stream.Null, patience.Token);
            await session.StopAsync(patience.Token).ConfigureAwait(false);
            await drain.ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when ((ex is DiagnosticsClientException or IOException or TimeoutException or UnauthorizedAccessException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
