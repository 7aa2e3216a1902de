using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.K6;

/// <summary>Builds a <see cref="K6DataFile"/>: fresh identities, tokens and established sessions.</summary>
public static class K6DataSetBuilder
{
    /// <summary>Most users one file may hold (each costs two session setups here and memory in every k6 VU).</summary>
    public const int MaxUsers = 100_000;

    /// <summary>
    /// Creates <paramref name="users"/> identities paired by <paramref name="pairing"/>, a token for
    /// each signed with <paramref name="secret"/> (the relay's <c>--ws-secret</c>, UTF-8) valid until
    /// <paramref name="expires"/>, and the sessions between them, established in memory.
    /// </summary>
    /// <exception cref="ArgumentException">Too few or too many users, an odd count for pairs, or a short secret.</exception>
    public static K6DataFile Create(int users, K6Pairing pairing, ReadOnlySpan<byte> secret, DateTimeOffset expires)
    {
        if (users < 2 || users > MaxUsers)
        {
            throw new ArgumentException($"--users must be 2 to {MaxUsers}; got {users}.", nameof(users));
        }

        if (pairing == K6Pairing.Pairs && users % 2 != 0)
        {
            throw new ArgumentException($"--pairs pairs needs an even number of users; got {users}.", nameof(users));
        }

        var options = new E2eSessionOptions { Algorithm = AeadAlgorithm.Aes256Gcm };
        var identities = new X25519KeyPair[users];
        var sessions = new List<E2eSessionState>[users];
        var sendsTo = new int[users];
        try
        {
            for (var i = 0; i < users; i++)
            {
                identities[i] = X25519KeyPair.Generate();
                sessions[i] = [];
                sendsTo[i] = pairing == K6Pairing.Ring ? (i + 1) % users : i ^ 1;
            }

            for (var i = 0; i < users; i++)
            {
                var recipient = sendsTo[i];
                if (pairing == K6Pairing.Pairs && i % 2 == 1)
                {
                    continue; // the pair's one session was set up by its even member and runs both ways
                }

                using var initiator = E2eSession.Initiate(identities[i], identities[recipient].PublicKey, options);
                using var receiver = E2eSessionSetup.Establish(initiator, identities[recipient], options);
                sessions[i].Add(initiator.ExportState());
                sessions[recipient].Add(receiver.ExportState());
            }

            var entries = new K6User[users];
            for (var i = 0; i < users; i++)
            {
                var identity = new Identity(identities[i].PublicKey);
                entries[i] = new K6User
                {
                    Index = i,
                    Identity = Convert.ToBase64String(identities[i].PublicKey),
                    Token = RelayToken.Mint(identity, expires, secret),
                    SendsTo = sendsTo[i],
                    Sessions = sessions[i],
                };
            }

            return new K6DataFile
            {
                Algorithm = options.Algorithm.Name,
                Pairs = K6PairingNames.Name(pairing),
                TokenExpiresAt = expires,
                Users = entries,
            };
        }
        finally
        {
            foreach (var identity in identities)
            {
                identity?.Dispose();
            }
        }
    }
}
