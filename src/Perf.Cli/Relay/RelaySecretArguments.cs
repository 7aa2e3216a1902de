using System.CommandLine;
using System.Security.Cryptography;
using Perf.Cli.Options;
using Relay.Crypto.KeyAgreement;

namespace Perf.Cli.Relay;

/// <summary><c>perf relay</c>'s secrets: its static key (<c>--key FILE</c>) and the secret that signs WebSocket tokens (<c>--ws-secret</c>).</summary>
internal sealed class RelaySecretArguments : OptionGroup
{
    private readonly Option<string?> _key = new("--key") { Description = "File with the relay's private key (base64); created when absent. Default: a fresh key each start." };
    private readonly Option<string?> _secret = new("--ws-secret") { Description = "Secret that signs WebSocket tokens (at least 16 characters). Default: generated and printed." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_key, _secret];

    /// <summary>The token secret, generated when not given; false with a one-line <paramref name="problem"/> when it is too short.</summary>
    public bool TryReadSecret(ParseResult parseResult, out (string Text, bool Generated) secret, out string? problem)
    {
        var text = parseResult.GetValue(_secret);
        if (text is not null && text.Length < TokenArguments.MinSecretLength)
        {
            secret = default;
            problem = "--ws-secret must be at least 16 characters.";
            return false;
        }

        secret = text is null ? (Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), true) : (text, false);
        problem = null;
        return true;
    }

    /// <summary>The key from <c>--key FILE</c> (created when absent) or a fresh one; false with a one-line <paramref name="problem"/> when the file cannot be read or written.</summary>
    public bool TryLoadKey(ParseResult parseResult, out X25519KeyPair? key, out string? problem)
    {
        problem = null;
        try
        {
            var path = parseResult.GetValue(_key);
            key = path is null ? X25519KeyPair.Generate() : RelayKeyFile.LoadOrCreate(path, out _);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            key = null;
            problem = $"--key: {ex.Message}";
            return false;
        }
    }
}
