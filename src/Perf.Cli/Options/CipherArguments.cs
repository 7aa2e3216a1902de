using System.CommandLine;
using Relay.Crypto.Aead;

namespace Perf.Cli.Options;

/// <summary><c>--cipher</c> and <c>--backend</c>: the AEAD and the backend that runs it (each command describes them in its own words).</summary>
internal sealed class CipherArguments : OptionGroup
{
    /// <summary>The options, described as <paramref name="cipherDescription"/> and <paramref name="backendDescription"/>.</summary>
    public CipherArguments(string cipherDescription, string backendDescription)
    {
        Cipher = new Option<string>("--cipher") { Description = cipherDescription, DefaultValueFactory = _ => "aesgcm" };
        Cipher.AcceptOnlyFromAmong("aesgcm", "chachapoly");
        Backend = new Option<string>("--backend") { Description = backendDescription, DefaultValueFactory = _ => "auto" };
        Backend.AcceptOnlyFromAmong("auto", "sodium", "openssl", "libcrypto");
    }

    /// <summary><c>--cipher</c>: aesgcm (default) or chachapoly.</summary>
    public Option<string> Cipher { get; }

    /// <summary><c>--backend</c>: auto (default), sodium, openssl or libcrypto.</summary>
    public Option<string> Backend { get; }

    /// <inheritdoc />
    public override IEnumerable<Option> All => [Cipher, Backend];

    /// <summary>The names as given, parsed, and why the backend cannot run the cipher on this machine (<c>null</c> when it can).</summary>
    public CipherChoice Read(ParseResult parseResult)
    {
        var cipherName = parseResult.GetValue(Cipher)!;
        var backendName = parseResult.GetValue(Backend)!;
        var algorithm = AeadAlgorithm.Parse(cipherName);
        var backend = AeadBackend.Parse(backendName);
        return new CipherChoice(cipherName, backendName, algorithm, backend, backend.IsSupported(algorithm, out var unsupported) ? null : unsupported);
    }
}

/// <summary>The cipher and backend a command was given.</summary>
/// <param name="CipherName">As given (<c>aesgcm</c>).</param>
/// <param name="BackendName">As given (<c>auto</c>).</param>
/// <param name="Algorithm">The AEAD.</param>
/// <param name="Backend">The backend.</param>
/// <param name="Unsupported">Why the backend cannot run the AEAD here, or <c>null</c>.</param>
internal sealed record CipherChoice(string CipherName, string BackendName, AeadAlgorithm Algorithm, AeadBackend Backend, string? Unsupported);
