using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Cli.Tests.Results;
using Perf.Load.Targets.Echo;

namespace Perf.Cli.Tests.Impair;

/// <summary><c>perf impair</c>: the proxy on its own in front of a real echo server, and its answers to bad input.</summary>
public sealed class ImpairCommandTests
{
    [Fact]
    public async Task It_carries_connections_through_the_profile_until_stopped_and_says_what_it_did()
    {
        await using var echo = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        using var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        using var stop = new CancellationTokenSource();
        var running = PerfCommandLine.InvokeAsync(["impair", "--listen", "127.0.0.1:0", "--upstream", echo.EndPoint.ToString(), "--network", "latency=30ms,seed=4"], output, TextWriter.Null, stop.Token);

        var ready = await ReadyLineAsync(output, text, running);
        Assert.Contains("network=latency=30ms,seed=4", ready, StringComparison.Ordinal);
        var at = IPEndPoint.Parse(ready.Split(' ')[2]["tcp=".Length..]);
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            await client.ConnectAsync(at);
            var started = Stopwatch.GetTimestamp();
            await client.SendAsync("hello"u8.ToArray(), SocketFlags.None);
            var echoed = new byte[5];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            for (var got = 0; got < echoed.Length;)
            {
                got += await client.ReceiveAsync(echoed.AsMemory(got), SocketFlags.None, timeout.Token);
            }

            Assert.Equal("hello"u8.ToArray(), echoed);
            Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(60), "the echo came back faster than 2 x 30 ms");
        }

        await stop.CancelAsync();
        Assert.Equal(PerfCommandLine.Ok, await running.WaitAsync(TimeSpan.FromSeconds(15)));
        lock (output)
        {
            Assert.Contains("impair stopped connections=1 ", text.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("latency=5xs", "--network: latency")]
    [InlineData("wifi", "--network: unknown profile 'wifi'")]
    [InlineData("mobile,latnecy=5ms", "--network: unknown key 'latnecy'")]
    public void A_malformed_profile_is_one_line_naming_the_key(string profile, string expected)
    {
        CliRun.Invoke("impair", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:7400", "--network", profile).AssertBadInput(expected);
    }

    [Theory]
    [InlineData("--listen", "somewhere", "--listen: 'somewhere' is not HOST:PORT")]
    [InlineData("--upstream", "127.0.0.1:0", "--upstream: needs the server's port")]
    [InlineData("--upstream", "nowhere:1", "--upstream: 'nowhere:1' is not HOST:PORT")]
    public void Bad_addresses_are_one_line_naming_the_option(string option, string value, string expected)
    {
        var args = new List<string> { "impair", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:7400", "--network", "none" };
        args[args.IndexOf(option) + 1] = value;

        CliRun.Invoke([.. args]).AssertBadInput(expected);
    }

    private static async Task<string> ReadyLineAsync(TextWriter output, StringWriter text, Task<int> running)
    {
        var deadline = Stopwatch.GetTimestamp() + (15 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            Assert.False(running.IsCompleted, "perf impair exited before it was ready");
            lock (output)
            {
                foreach (var line in text.ToString().Split('\n'))
                {
                    if (line.StartsWith("impair listening ", StringComparison.Ordinal))
                    {
                        return line.Trim();
                    }
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("perf impair printed no ready line");
    }
}
