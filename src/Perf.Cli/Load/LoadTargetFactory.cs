using System.Net;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;

namespace Perf.Cli.Load;

/// <summary>
/// Turns a <c>--target</c> value into a running target: a full address
/// (<c>echo://127.0.0.1:7500</c>) connects to a server the user started; a bare name
/// (<c>echo</c>, <c>relay-tcp</c>, ...) starts that server embedded in this process on a free
/// loopback port, so one command measures without any setup.
/// </summary>
internal static class LoadTargetFactory
{
    /// <summary>The bare names accepted for embedded targets.</summary>
    public const string EmbeddedNames = "echo";

    /// <summary>Creates the target; the returned lease disposes the target and any embedded server.</summary>
    /// <exception cref="LoadTargetException">An unknown or unavailable target; the message says how to fix it.</exception>
    public static async Task<TargetLease> CreateAsync(string text, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            return text.Trim().ToLowerInvariant() switch
            {
                "echo" => await EmbeddedEchoAsync(cancellationToken).ConfigureAwait(false),
                _ => throw new LoadTargetException($"unknown embedded target '{text}': use one of {EmbeddedNames}, or an address SCHEME://HOST:PORT with SCHEME one of {TargetAddress.KnownSchemes}."),
            };
        }

        if (!TargetAddress.TryParse(text, out var address, out var error))
        {
            throw new LoadTargetException(error!);
        }

        var endPoint = await address!.ResolveAsync(cancellationToken).ConfigureAwait(false);
        return address.Scheme switch
        {
            TargetScheme.Echo => new TargetLease(new EchoTarget(endPoint), null, address.ToString()),
            _ => throw new LoadTargetException($"the {TargetAddress.SchemeName(address.Scheme)} target is not available in this build of perf."),
        };
    }

    private static async Task<TargetLease> EmbeddedEchoAsync(CancellationToken cancellationToken)
    {
        var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken).ConfigureAwait(false);
        return new TargetLease(new EchoTarget(server.EndPoint), server, $"echo://{server.EndPoint} (embedded)");
    }
}

/// <summary>Options some targets need (relay key, WebSocket secret, cipher, backend).</summary>
/// <param name="RelayKey">The relay's static public key, base64, to pin (relay-tcp).</param>
/// <param name="WsSecret">The relay's WebSocket token secret (relay-ws).</param>
/// <param name="Cipher">E2E and transport cipher name.</param>
/// <param name="Backend">AEAD backend name.</param>
internal sealed record LoadTargetOptions(string? RelayKey, string? WsSecret, string Cipher, string Backend);

/// <summary>A target and whatever was started for it; disposing stops both.</summary>
internal sealed class TargetLease(ILoadTarget target, IAsyncDisposable? server, string description) : IAsyncDisposable
{
    public ILoadTarget Target { get; } = target;

    public string Description { get; } = description;

    public async ValueTask DisposeAsync()
    {
        await Target.DisposeAsync().ConfigureAwait(false);
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
