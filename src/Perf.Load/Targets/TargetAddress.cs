using System.Net;

namespace Perf.Load.Targets;

/// <summary>
/// A parsed <c>--target</c>: <c>relay-tcp://HOST:PORT</c>, <c>relay-ws://HOST:PORT</c>,
/// <c>nats://HOST:PORT</c> or <c>echo://HOST:PORT</c>. Load is only ever sent to loopback
/// addresses unless the user names another host explicitly.
/// </summary>
/// <param name="Scheme">The target kind.</param>
/// <param name="Host">The host as written.</param>
/// <param name="Port">The TCP port.</param>
public sealed record TargetAddress(TargetScheme Scheme, string Host, int Port)
{
    /// <summary>The schemes as written on the command line.</summary>
    public const string KnownSchemes = "relay-tcp, relay-ws, nats, echo";

    /// <summary>Parses a target URI; the error names the problem and the accepted forms.</summary>
    public static bool TryParse(string? text, out TargetAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' is not a target: use SCHEME://HOST:PORT with SCHEME one of {KnownSchemes} (e.g. relay-tcp://127.0.0.1:7400).";
            return false;
        }

        TargetScheme? scheme = uri.Scheme switch
        {
            "relay-tcp" => TargetScheme.RelayTcp,
            "relay-ws" => TargetScheme.RelayWs,
            "nats" => TargetScheme.Nats,
            "echo" => TargetScheme.Echo,
            _ => null,
        };
        if (scheme is null)
        {
            error = $"unknown target scheme '{uri.Scheme}' in '{text}': use one of {KnownSchemes}.";
            return false;
        }

        if (uri.IsDefaultPort || uri.Port is <= 0 or > 65535)
        {
            error = $"'{text}' has no port: write {uri.Scheme}://{uri.Host}:PORT.";
            return false;
        }

        address = new TargetAddress(scheme.Value, uri.Host, uri.Port);
        return true;
    }

    /// <summary>Resolves the host to an endpoint (an IP literal, or the first address DNS gives).</summary>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Host.Trim('[', ']'), out var ip))
        {
            return new IPEndPoint(ip, Port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
            return addresses.Length > 0
                ? new IPEndPoint(addresses[0], Port)
                : throw new LoadTargetException($"the host '{Host}' has no address.");
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new LoadTargetException($"cannot resolve '{Host}': {ex.Message}.", ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{SchemeName(Scheme)}://{Host}:{Port}";

    /// <summary>The scheme as written on the command line.</summary>
    public static string SchemeName(TargetScheme scheme) => scheme switch
    {
        TargetScheme.RelayTcp => "relay-tcp",
        TargetScheme.RelayWs => "relay-ws",
        TargetScheme.Nats => "nats",
        _ => "echo",
    };
}

/// <summary>The kinds of load target.</summary>
public enum TargetScheme
{
    /// <summary>This project's relay over Noise/TCP.</summary>
    RelayTcp,

    /// <summary>This project's relay over its WebSocket gateway.</summary>
    RelayWs,

    /// <summary>A NATS server: publish to each recipient's subject.</summary>
    Nats,

    /// <summary>The raw echo forwarder: the loopback floor.</summary>
    Echo,
}
