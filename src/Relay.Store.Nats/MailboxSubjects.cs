using System.Collections.Concurrent;
using Relay.Protocol.Frames;

namespace Relay.Store.Nats;

/// <summary>
/// The NATS subjects of one mailbox stream. A recipient's messages are stored on
/// <c>PREFIX.&lt;identity as 64 lowercase hex&gt;</c>; JetStream republishes each one, once
/// stored, on <c>_RL.&lt;stream&gt;.&lt;same hex&gt;</c>, where every relay node with a live
/// connection of that recipient subscribes. The hex token is the only varying part, so an
/// identity maps to exactly one pair of subjects.
/// </summary>
internal sealed class MailboxSubjects
{
    // Subjects of recent recipients, so that a SEND does not build its subject string each time.
    private const int MaxCached = 65_536;
    private readonly ConcurrentDictionary<Identity, string> _mailboxes = new();
    private readonly string _prefix;

    public MailboxSubjects(string prefix, string stream)
    {
        _prefix = prefix;
        LivePrefix = "_RL." + stream;
    }

    /// <summary>What the stream captures: <c>PREFIX.*</c>.</summary>
    public string StreamSubjects => _prefix + ".*";

    /// <summary>The republish destination template: the stored subject's hex token under <see cref="LivePrefix"/>.</summary>
    public string RepublishDestination => LivePrefix + ".{{wildcard(1)}}";

    /// <summary>Where stored messages are republished: <c>_RL.&lt;stream&gt;</c>.</summary>
    public string LivePrefix { get; }

    /// <summary>The subject <paramref name="recipient"/>'s messages are stored on.</summary>
    public string Mailbox(Identity recipient)
    {
        if (_mailboxes.TryGetValue(recipient, out var subject))
        {
            return subject;
        }

        if (_mailboxes.Count >= MaxCached)
        {
            _mailboxes.Clear();
        }

        subject = Build(_prefix, recipient);
        _mailboxes.TryAdd(recipient, subject);
        return subject;
    }

    /// <summary>The subject <paramref name="recipient"/>'s stored messages are republished on.</summary>
    public string Live(Identity recipient) => Build(LivePrefix, recipient);

    /// <summary>Whether <paramref name="subject"/> (UTF-8 bytes) is <paramref name="recipient"/>'s mailbox subject.</summary>
    public bool IsMailboxOf(ReadOnlySpan<byte> subject, Identity recipient) => TryReadMailbox(subject, out var owner) && owner.Equals(recipient);

    /// <summary>The recipient whose mailbox subject <paramref name="subject"/> (UTF-8 bytes) is; false for any other subject.</summary>
    public bool TryReadMailbox(ReadOnlySpan<byte> subject, out Identity recipient)
    {
        recipient = default;
        var hexStart = _prefix.Length + 1;
        if (subject.Length != hexStart + (2 * Identity.Size) || subject[_prefix.Length] != (byte)'.')
        {
            return false;
        }

        for (var i = 0; i < _prefix.Length; i++)
        {
            if (subject[i] != _prefix[i])
            {
                return false;
            }
        }

        // Lowercase only, as written: the subject is compared as bytes by NATS.
        foreach (var digit in subject[hexStart..])
        {
            if (digit is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        Span<byte> bytes = stackalloc byte[Identity.Size];
        if (Convert.FromHexString(subject[hexStart..], bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Identity.Size)
        {
            return false;
        }

        recipient = new Identity(bytes);
        return true;
    }

    /// <summary>Writes <paramref name="recipient"/>'s mailbox subject as UTF-8 into <paramref name="destination"/>; returns its length.</summary>
    public int WriteMailbox(Span<byte> destination, Identity recipient)
    {
        var length = System.Text.Encoding.ASCII.GetBytes(_prefix, destination);
        destination[length++] = (byte)'.';
        Span<byte> bytes = stackalloc byte[Identity.Size];
        recipient.CopyTo(bytes);
        Convert.TryToHexStringLower(bytes, destination[length..], out var written);
        return length + written;
    }

    /// <summary>The longest mailbox subject in bytes.</summary>
    public int MailboxLength => _prefix.Length + 1 + (2 * Identity.Size);

    private static string Build(string prefix, Identity identity)
    {
        Span<byte> bytes = stackalloc byte[Identity.Size];
        identity.CopyTo(bytes);
        return string.Concat(prefix, ".", Convert.ToHexStringLower(bytes));
    }
}
