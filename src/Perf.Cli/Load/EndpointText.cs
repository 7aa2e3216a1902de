using System.Net;

namespace Perf.Cli.Load;

/// <summary>Parses <c>HOST:PORT</c> listen addresses (IP literals; <c>localhost</c> means 127.0.0.1; port 0 picks a free port).</summary>
internal static class EndpointText
{
    public static bool TryParse(string? text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        error = string.Empty;
        var value = text?.Trim() ?? string.Empty;
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            value = "127.0.0.1" + value["localhost".Length..];
        }

        if (!IPEndPoint.TryParse(value, out var parsed) || !value.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{text}' is not HOST:PORT with an IP address, e.g. 127.0.0.1:7500 (port 0 picks a free port).";
            return false;
        }

        endPoint = parsed;
        return true;
    }
}
