using System.CommandLine;
using System.Net;
using Perf.Cli.Load;
using Perf.Cli.Options;

namespace Perf.Cli.Relay;

/// <summary><c>perf relay</c>'s listeners (<c>--tcp</c>, <c>--ws</c>) and which thread runs a connection's code (<c>--scheduling</c>).</summary>
internal sealed class RelayTransportArguments : OptionGroup
{
    private readonly Option<string> _tcp = new("--tcp") { Description = "HOST:PORT of the Noise/TCP endpoint (port 0 picks a free port).", DefaultValueFactory = _ => "127.0.0.1:7400" };
    private readonly Option<string> _ws = new("--ws") { Description = "HOST:PORT of the WebSocket gateway (path /ws).", DefaultValueFactory = _ => "127.0.0.1:7401" };
    private readonly Option<string> _scheduling = new("--scheduling") { Description = "Where connection code runs: inline (default: on the thread that completed the socket read) or thread-pool.", DefaultValueFactory = _ => "inline" };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_tcp, _ws, _scheduling];

    /// <summary>The endpoints and whether scheduling is inline; false with a one-line <paramref name="problem"/> for a bad value.</summary>
    public bool TryRead(ParseResult parseResult, out (IPEndPoint Tcp, IPEndPoint WebSocket, bool Inline) transport, out string? problem)
    {
        transport = default;
        if (!EndpointText.TryParse(parseResult.GetValue(_tcp), out var tcp, out var error) || !EndpointText.TryParse(parseResult.GetValue(_ws), out var webSocket, out error))
        {
            problem = error;
            return false;
        }

        var scheduling = parseResult.GetValue(_scheduling)!;
        if (scheduling is not ("inline" or "thread-pool"))
        {
            problem = $"--scheduling must be inline or thread-pool, not '{scheduling}'.";
            return false;
        }

        transport = (tcp, webSocket, scheduling == "inline");
        problem = null;
        return true;
    }
}
