namespace Relay.Server.Limits;

/// <summary>
/// One source address's limits: its handshake budget, its unfinished handshakes and its anonymous
/// connections. Guarded by its own lock; once <see cref="Removed"/> (forgotten by the sweep) it is
/// never used again, and the next connection from that source makes a new one.
/// </summary>
internal sealed class SourceState(SourceAddress address, TokenBucket budget)
{
    private TokenBucket _budget = budget;

    public SourceAddress Address { get; } = address;

    /// <summary>Handshakes admitted and not yet finished or failed.</summary>
    public int Unfinished { get; private set; }

    /// <summary>Anonymous (sealed-sender) connections open.</summary>
    public int Anonymous { get; private set; }

    /// <summary>Forgotten by the sweep: look the source up again.</summary>
    public bool Removed { get; private set; }

    /// <summary>Takes a handshake token (unless <paramref name="unlimited"/>) and counts the handshake as unfinished.</summary>
    public bool TryStartHandshake(long now, bool unlimited)
    {
        if (!unlimited && !_budget.TryTake(now))
        {
            return false;
        }

        Unfinished++;
        return true;
    }

    /// <summary>
    /// The handshake finished: it is no longer unfinished, its token comes back when <paramref name="refund"/>,
    /// and an anonymous connection takes a slot if one of <paramref name="anonymousCap"/> is free (0: no cap).
    /// Returns false when the anonymous cap refused it (the handshake is still counted finished).
    /// </summary>
    public bool FinishHandshake(bool refund, bool anonymous, int anonymousCap)
    {
        Unfinished--;
        if (refund)
        {
            _budget.GiveBack();
        }

        if (!anonymous)
        {
            return true;
        }

        if (anonymousCap > 0 && Anonymous >= anonymousCap)
        {
            return false;
        }

        Anonymous++;
        return true;
    }

    /// <summary>The handshake failed or was abandoned: its token stays spent.</summary>
    public void AbandonHandshake() => Unfinished--;

    /// <summary>An anonymous connection of this source closed.</summary>
    public void CloseAnonymous() => Anonymous--;

    /// <summary>Marks the state removed when nothing of it needs remembering at <paramref name="now"/>.</summary>
    public bool TryRemove(long now)
    {
        if (Unfinished == 0 && Anonymous == 0 && _budget.IsFull(now))
        {
            Removed = true;
        }

        return Removed;
    }
}
