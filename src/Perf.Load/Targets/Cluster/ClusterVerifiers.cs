using System.Diagnostics;
using Relay.Client;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// Sealed sender across a cluster. A relay node keeps the delivery-token verifiers its clients
/// registered in its own memory (<c>Relay.Server</c>'s <c>RelayMetadata</c>), so a SEALED_SEND
/// through node B to a recipient who registered on node A is refused (REJECTED
/// <c>delivery token invalid</c>). A fleet would keep verifiers with the account, shared by every
/// node; the harness stands in for that store: before the run every identity registers its
/// verifier with every node (one short authenticated connection each, <see cref="SealedSenderSetup"/>),
/// and takes its sender certificate from the first (every node signs with the key derived from the
/// shared static key). A node that restarts has forgotten them: the first SEALED_SEND it refuses
/// makes the target register every verifier with it again (<see cref="RefreshAsync"/>, once per
/// node however many refusals arrive together), and the refused messages are sent again.
/// </summary>
internal sealed class ClusterVerifiers(E2eRing ring, ClusterConnector connector)
{
    private const int InFlight = 32;

    // Refusals of messages sent before a refresh finished arrive after it: they need no second one.
    private static readonly TimeSpan RefreshQuiet = TimeSpan.FromSeconds(2);
    private readonly object _lock = new();
    private readonly Task?[] _refreshing = new Task?[connector.Nodes.Count];
    private readonly long[] _refreshedAt = new long[connector.Nodes.Count];
    private long _refreshes;

    /// <summary>Times a node was given every verifier again after it refused one.</summary>
    public long Refreshes => Volatile.Read(ref _refreshes);

    /// <summary>Registers every identity with every node and gives each identity its sender certificate.</summary>
    /// <exception cref="RelayClientException">A node refused or did not answer.</exception>
    public async Task RegisterEverywhereAsync(CancellationToken cancellationToken)
    {
        for (var node = 0; node < connector.Nodes.Count; node++)
        {
            await RegisterAllAsync(node, takeCertificates: node == 0, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers every verifier with <paramref name="node"/> again (after it refused a delivery
    /// token); concurrent callers share one registration, and one that finished moments ago counts.
    /// Failures are left for the next refusal to try again.
    /// </summary>
    public Task RefreshAsync(int node, CancellationToken stop)
    {
        lock (_lock)
        {
            if (_refreshing[node] is { IsCompleted: false } running)
            {
                return running;
            }

            if (_refreshedAt[node] != 0 && Stopwatch.GetElapsedTime(_refreshedAt[node]) < RefreshQuiet)
            {
                return Task.CompletedTask;
            }

            Interlocked.Increment(ref _refreshes);
            return _refreshing[node] = RefreshNowAsync(node, stop);
        }
    }

    private async Task RefreshNowAsync(int node, CancellationToken stop)
    {
        try
        {
            await RegisterAllAsync(node, takeCertificates: false, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (FailoverLink.IsDrop(ex))
        {
            // The node went down again, or the run ended: the next refusal asks again.
        }
        finally
        {
            lock (_lock)
            {
                _refreshedAt[node] = Stopwatch.GetTimestamp();
            }
        }
    }

    private async Task RegisterAllAsync(int node, bool takeCertificates, CancellationToken cancellationToken)
    {
        var next = -1;
        async Task Worker()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < ring.Count)
            {
                var client = await connector.ConnectAsync(node, ring.KeyPair(index), cancellationToken).ConfigureAwait(false)
                    ?? throw new RelayClientException($"relay node {node} is down");
                await using (client.ConfigureAwait(false))
                {
                    var (certificate, signingKey) = await SealedSenderSetup.EnableAsync(client, ring.VerifierOf(index), cancellationToken).ConfigureAwait(false);
                    if (takeCertificates)
                    {
                        ring.UseCertificate(index, certificate, signingKey);
                    }
                }
            }
        }

        var workers = new Task[Math.Min(InFlight, ring.Count)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(Worker, CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }
}
