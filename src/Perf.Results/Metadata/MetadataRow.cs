namespace Perf.Results.Metadata;

/// <summary>One mode's line of <c>metadata.json</c>: what the relay learned (from its audit log) and what hiding it cost.</summary>
public sealed record MetadataRow
{
    /// <summary><c>plain</c>, <c>padded</c>, <c>sealed</c> or <c>sealed+padded</c>.</summary>
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

    /// <summary>The relay process's CPU time over delivered messages, µs.</summary>
    public required double RelayCpuUsPerMessage { get; init; }

    /// <summary>How often the best of the attacks names the true sender.</summary>
    public required double Linkability { get; init; }

    /// <summary>How often the last-recipient timing attack names the true sender.</summary>
    public required double LinkabilityLastRecipient { get; init; }

    /// <summary>How often the disclosure attack over anonymous connections names the true sender.</summary>
    public required double LinkabilityDisclosure { get; init; }

    /// <summary>Messages the recipients opened.</summary>
    public required long Delivered { get; init; }
}
