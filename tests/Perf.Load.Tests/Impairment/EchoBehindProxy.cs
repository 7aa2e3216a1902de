using System.Net;
using System.Net.Sockets;
using Perf.Load.Impairment;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Impairment;

/// <summary>A real echo server behind a real impairment proxy on loopback, and bounded socket helpers.</summary>
internal sealed class EchoBehindProxy : IAsyncDisposable
{
    private EchoBehindProxy(EchoServer echo, ImpairmentProxy proxy)
    {
        Echo = echo;
        Proxy = proxy;
    }

    public EchoServer Echo { get; }

    public ImpairmentProxy Proxy { get; }

    public static async Task<EchoBehindProxy> StartAsync(string profile, ImpairmentProxyOptions? options = null)
    {
        var echo = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        return new EchoBehindProxy(echo, ImpairmentProxy.Start(NetworkProfile.Parse(profile), new IPEndPoint(IPAddress.Loopback, 0), echo.EndPoint, options));
    }

    public Task<Socket> ConnectAsync() => ProxyTestKit.ConnectAsync(Proxy.EndPoint);

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Echo.DisposeAsync();
    }
}
