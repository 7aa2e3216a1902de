using HdrHistogram;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Engine;

/// <summary>
/// A target that stops answering for a known time must show that time in the latencies of every
/// message scheduled during the stall, not only in the one message a closed-loop client would
/// have had in flight.
/// </summary>
public sealed class CoordinatedOmissionTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task Messages_scheduled_during_a_stall_carry_the_stall_in_their_latency()
    {
        const int Rate = 200;
        var port = Perf.Load.Processes.LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseConnectionHandler<StallingEchoHandler>()));
        await using var app = builder.Build();
        await app.StartAsync();

        await using var target = new EchoTarget(new IPEndPoint(IPAddress.Loopback, port));
        var scenario = new LoadScenario
        {
            Connections = 1,
            RatePerSecond = Rate,
            MessageSize = 64,
            Warmup = TimeSpan.Zero,
            Duration = TimeSpan.FromSeconds(3),
        };

        var result = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        var endToEnd = result.Recorders.Total(LoadStage.EndToEnd);

        Assert.Equal(0, result.Lost);
        // The first message of the stall waited nearly the whole stall.
        Assert.True(endToEnd.GetMaxValue() >= Stall.TotalMicroseconds * 0.75, $"max {endToEnd.GetMaxValue()} µs");
        // Messages intended during the stall are delayed linearly from ~800 ms down to ~0:
        // about (800 - 300) ms x 200/s = 100 of them wait over 300 ms. Closed-loop
        // measurement would show one such message.
        var slow = 0L;
        foreach (var value in endToEnd.RecordedValues())
        {
            if (value.ValueIteratedTo >= 300_000)
            {
                slow += value.CountAtValueIteratedTo;
            }
        }

        Assert.True(slow >= 50, $"only {slow} messages over 300 ms");
    }

    private sealed class StallingEchoHandler : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var input = connection.Transport.Input;
            var output = connection.Transport.Output;
            var started = Stopwatch.StartNew();
            var stalled = false;
            while (true)
            {
                var read = await input.ReadAsync();
                if (!stalled && started.Elapsed > TimeSpan.FromSeconds(1))
                {
                    stalled = true;
                    await Task.Delay(Stall);
                    read = await ReadEverythingBufferedAsync(input, read);
                }

                foreach (var segment in read.Buffer)
                {
                    await output.WriteAsync(segment);
                }

                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }

        private static async ValueTask<System.IO.Pipelines.ReadResult> ReadEverythingBufferedAsync(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.ReadResult current)
        {
            // Take what arrived during the stall too, so it is echoed at once.
            input.AdvanceTo(current.Buffer.Start, current.Buffer.End);
            return await input.ReadAsync();
        }
    }
}
