namespace Perf.Results.Metadata;

/// <summary>One mode's line of <c>metadata.json</c>: what the relay learned (from its audit log) and what hiding it cost.</summary>
public sealed record MetadataRow
{
    /// <summary><c>plain</c>, <c>padded</c>, <c>sealed</c>, <c>sealed+padded</c>, <c>conversations</c> or <c>conversations+padded</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>Audit-log lines (accepted messages the relay recorded).</summary>
    public required long Messages { get; init; }

    /// <summary>Accepted messages the workload sent that the audit log lacks (should be 0).</summary>
    public required long Unlogged { get; init; }

    /// <summary>Fraction of logged messages whose sender the relay recorded.</summary>
    public required double SenderKnownFraction { get; init; }

    /// <summary>Distinct envelope sizes in the log.</summary>
    public required int SizeClasses { get; init; }

    /// <summary>Shannon entropy of the logged envelope sizes, bits: what a size tells the relay.</summary>
    public required double SizeEntropyBits { get; init; }

    /// <summary>Mean logged envelope bytes minus plaintext bytes: headers, tags, padding, the sealed layer.</summary>
    public required double BytesOverheadPerMessage { get; init; }

    /// <summary>Sender's seal time p50, µs (E2E, plus the sealed layer).</summary>
    public required double SealUsP50 { get; init; }

    /// <summary>Recipient's open time p50, µs (plus unsealing and the certificate check).</summary>
    public required double OpenUsP50 { get; init; }

    /// <summary>Intended send to opened plaintext, p99, µs.</summary>
    public required double E2eP99Us { get; init; }

    /// <summary>The relay process's CPU time over the messages delivered in the measured window, µs (as <c>perf load</c>'s <c>target.cpu_us_per_message</c>).</summary>
    public required double RelayCpuUsPerMessage { get; init; }

    /// <summary>How often the best of the attacks names the true sender.</summary>
    public required double Linkability { get; init; }

    /// <summary>How often the last-recipient timing attack names the true sender.</summary>
    public required double LinkabilityLastRecipient { get; init; }

    /// <summary>How often the disclosure attack over anonymous connections names the true sender.</summary>
    public required double LinkabilityDisclosure { get; init; }

    /// <summary>Messages the recipients opened.</summary>
    public required long Delivered { get; init; }

    /// <summary>Fraction of logged messages whose recipient is an identity (not a conversation mailbox's address).</summary>
    public double RecipientKnownFraction { get; init; }

    /// <summary>Identities whose connection times the relay can attribute: distinct identities of authenticated connections in the log's <c>connect</c> lines.</summary>
    public int OnlineIdentitiesVisible { get; init; }

    /// <summary>How often the connection-time attack (an anonymous connection belongs to the identity that connected nearest in time) names the true sender.</summary>
    public double LinkabilityConnectionTime { get; init; }

    /// <summary>Connections the relay saw (<c>connect</c> lines) per logged message.</summary>
    public double ConnectionsPerMessage { get; init; }

    /// <summary>Public-key agreements per logged message: Noise handshakes (one per connection) plus the sealed layer's X25519 of each SEALED_SEND.</summary>
    public double HandshakesPerMessage { get; init; }

    /// <summary>Intended send to opened plaintext, p50, µs.</summary>
    public double E2eP50Us { get; init; }

    /// <summary>End-to-end p50 above the plain row's in the same run, µs (0 for plain).</summary>
    public double AddedP50Us { get; init; }

    /// <summary>End-to-end p99 above the plain row's in the same run, µs (0 for plain).</summary>
    public double AddedP99Us { get; init; }

    /// <summary>The relay process over the measured window, as <c>perf load</c>'s <c>target</c> section reads it: its CPUs, cores, CPU and context switches per delivered message.</summary>
    public Model.TargetUsage? Target { get; init; }

    /// <summary>The generator (this process) over the same window, as <c>perf load</c>'s <c>generator</c> section.</summary>
    public Model.GeneratorUsage? Generator { get; init; }

    /// <summary>How late the generator started sends against their intended times, p99, µs: a high figure is the generator's limit, not the relay's.</summary>
    public double GeneratorLagP99Us { get; init; }

    /// <summary>End-to-end p99 over the echo floor's in the same run (<see cref="MetadataResult.Floor"/>), or <c>null</c> without a floor.</summary>
    public double? E2eP99OverFloor { get; init; }

    /// <summary>Conversation set-up messages sent through the relay (sealed, to the peer's identity, one per pair that talked): the messages whose recipient the relay knows in the conversation modes.</summary>
    public long ConversationSetups { get; init; }
}
