using System.Diagnostics;
using Perf.Load.Behaviours;
using Perf.Load.Recording;
using Perf.Load.Scheduling;
using Perf.Load.Targets;

namespace Perf.Load.Engine;

/// <summary>
/// Drives a target on a fixed schedule (open loop). One scheduling thread wakes when the next
/// message is due, and for each connection writes every message whose intended time has come,
/// then flushes once. A connection whose flush is still pending (the transport pushes back) is
/// skipped until it completes: its messages fall behind schedule and are sent late, and their
/// latency still counts from the intended time, so a stalled target shows the delay it caused
/// instead of quietly lowering the offered rate. How late each send started is recorded as the
/// generator's own lag, so a saturated generator is never mistaken for a slow target.
/// </summary>
public sealed class OpenLoopRunner
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);

    // How often a connection whose flush is pending is looked at again (20 µs).
    private static readonly long PendingFlushPollTicks = Stopwatch.Frequency / 50_000;

    // With follow-ups, the scheduler sleeps on their signal while its next send is further than
    // 2 ms away (the signal's wait is millisecond-grained), and in its last 2 ms, which the precise
    // sleep cannot cut short, looks for them every 200 µs: a receipt waits at most that long then,
    // recorded as generator lag.
    private static readonly long FollowUpSignalAboveTicks = Stopwatch.Frequency / 500;
    private static readonly long FollowUpPollTicks = Stopwatch.Frequency / 5_000;

    private readonly LoadScenario _scenario;
    private readonly IProcessResources? _targetProcess;
    private readonly LoadRunHooks _hooks;

    /// <summary>Creates a runner for a validated scenario.</summary>
    /// <param name="scenario">What to run.</param>
    /// <param name="targetProcess">The target's process, when it runs apart from the generator: its CPU time over the measured window is recorded beside the generator's own.</param>
    /// <param name="hooks">A probe for the series and companions beside the schedule (none by default).</param>
    /// <exception cref="ArgumentException">The scenario has a value out of range.</exception>
    public OpenLoopRunner(LoadScenario scenario, IProcessResources? targetProcess = null, LoadRunHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var problem = scenario.Validate();
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(scenario));
        }

        _scenario = scenario;
        _targetProcess = targetProcess;
        _hooks = hooks ?? LoadRunHooks.None;
    }

    /// <summary>
    /// When the schedule starts (its warm-up first), asked once the target's connections are open:
    /// shards of one run, in other processes or on other machines, start together at the UTC time
    /// it returns. <c>null</c>: 100 ms after connecting.
    /// </summary>
    public Func<CancellationToken, Task<DateTimeOffset>>? StartGate { get; init; }

    /// <summary>Connects, runs warm-up and the measured window, drains outstanding messages, and returns what was recorded.</summary>
    /// <param name="target">The target to drive; the caller disposes it.</param>
    /// <param name="progress">Receives one report per second, from the sampling task.</param>
    /// <param name="cancellationToken">Stops the run early; what was recorded so far is returned.</param>
    public async Task<LoadRunResult> RunAsync(ILoadTarget target, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var recorders = new LoadRecorders();
        var series = new LoadSeries(_scenario.SeriesInterval, _scenario.Duration, _hooks.Probe, cancellationToken);
        recorders.IntervalTaken = (stage, interval) =>
        {
            if (stage == LoadStage.EndToEnd)
            {
                series.AddLatency(interval);
            }
        };
        var behaviours = _scenario.Behaviours;
        var context = new LoadTargetContext(_scenario.Connections, _scenario.MessageSize, recorders)
        {
            Behaviours = behaviours,
            Series = series.Count > 0 ? series : null,
            RecipientClasses = behaviours.SlowConsumerPercent > 0 ? new RecipientClasses(_scenario.Connections) : null,
        };
        var connections = await target.ConnectAsync(context, cancellationToken).ConfigureAwait(false);
        var churn = behaviours.ChurnPercentPerMinute > 0
            ? new ChurnDriver(new LoadConnectionPopulation(connections, target.Name), new ChurnSchedule(connections.Count, behaviours.ChurnPercentPerMinute, behaviours.Minute, behaviours.Seed), behaviours.ChurnAway)
            : null;
        var startedAt = DateTimeOffset.UtcNow;

        // Sampled once now and thrown away: the first sample compiles the /proc readers, which
        // would otherwise happen while the window opens, beside the threads being measured.
        _ = (_targetProcess?.Sample(), GeneratorResources.Instance.Sample());

        var startTicks = StartGate is null ? Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10 : TicksAt(await StartGate(cancellationToken).ConfigureAwait(false));
        var measureStart = startTicks + Ticks(_scenario.Warmup);
        var end = measureStart + Ticks(_scenario.Duration);
        context.MeasureStartTicks = measureStart;
        series.Open(measureStart);

        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleAsync(recorders, context.WarmupRecorders, series, measureStart, progress, stopSampling.Token);
        var usageAtStart = SampleAtAsync(measureStart, cancellationToken);
        using var stopCompanions = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopCompanions.CancelAfter(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end));
        var companions = StartCompanions([.. _hooks.Companions, .. churn is null ? Array.Empty<ILoadRunCompanion>() : [churn]], new LoadRunWindow(connections, context), measureStart, stopCompanions.Token);
        var schedule = await StartScheduler(connections, context, (target as ICallerPumpedTarget)?.Sockets, startTicks, end, cancellationToken).ConfigureAwait(false);

        // Clients that left near the end are back before the drain counts what arrived.
        await companions.ConfigureAwait(false);

        // Slow consumers read at full speed now: what the relay held for them is delivered, not
        // counted lost; what their senders still hold in their outboxes was refused.
        if (behaviours.SlowConsumerPercent > 0 && target is ISlowConsumerTarget outboxes)
        {
            outboxes.CloseOutboxes();
        }

        var catchUp = behaviours.SlowConsumerPercent > 0 && behaviours.SlowConsumerDrain > TimeSpan.Zero && target is ISlowConsumerTarget slow
            ? await slow.CatchUpAsync(() => recorders.Delivered + recorders.Rejected >= recorders.Sent, behaviours.SlowConsumerDrain, cancellationToken).ConfigureAwait(false)
            : null;
        await DrainAsync(recorders, cancellationToken).ConfigureAwait(false);
        var measuredEnd = Stopwatch.GetTimestamp();
        var (targetEnd, generatorEnd) = (_targetProcess?.Sample(), GeneratorResources.Instance.Sample());
        var (targetStart, generatorStart) = await usageAtStart.ConfigureAwait(false);
        await stopSampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        recorders.TakeInterval();
        series.CloseRemaining(); // the last holds the drain's arrivals

        return new LoadRunResult(
            target.Name,
            target.Stages,
            _scenario,
            startedAt,
            Stopwatch.GetElapsedTime(measureStart, Math.Min(end, measuredEnd)),
            schedule.ScheduledMeasured,
            recorders)
        {
            TargetUsage = targetStart is { } ts && targetEnd is { } te ? ProcessUsage.Between(ts, te, recorders.Delivered) : null,
            GeneratorUsage = ProcessUsage.Between(generatorStart, generatorEnd, recorders.Delivered),
            Series = series.Closed > 0 ? series : null,
            SeriesReadings = series.Closed > 0 ? await series.ReadingsAsync().ConfigureAwait(false) : [],
            RecipientClasses = context.RecipientClasses,
            Churn = churn?.Counters,
            SlowConsumerCatchUp = catchUp,
        };
    }

    // Each companion from the opening of the measured window (after the warm-up) until stop; the
    // task ends when every one has settled. A companion that fails fails the run.
    private static Task StartCompanions(IReadOnlyList<ILoadRunCompanion> companions, LoadRunWindow window, long measureStart, CancellationToken stop)
    {
        if (companions.Count == 0)
        {
            return Task.CompletedTask;
        }

        var running = new Task[companions.Count];
        for (var i = 0; i < running.Length; i++)
        {
            var companion = companions[i];
            running[i] = Task.Run(async () =>
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart);
                if (wait <= TimeSpan.Zero || await ChurnDriver.DelayAsync(wait, stop).ConfigureAwait(false))
                {
                    await companion.RunAsync(window, stop).ConfigureAwait(false);
                }
            }, CancellationToken.None);
        }

        return Task.WhenAll(running);
    }

    // Both processes' CPU time when the measured window opens: the window is what the usage
    // covers (warm-up, connection set-up and JIT are left out), up to the end of the drain.
    // Taken on a thread of its own at nice 19: reading every thread's context switches from
    // /proc took 7 ms on a thread-pool thread, which the scheduler ran instead of the measured
    // threads (2 ms each, twice, at 20,000 msgs/s) just as the window opened. Not SCHED_IDLE,
    // which a saturated machine could starve for the whole window. Each sample reads its CPU
    // time and timestamp before the context switches, so being preempted mid-way shifts the
    // window by as much (its wall time is measured from the same timestamps), no more.
    private Task<(ProcessResourceSample? Target, ProcessResourceSample Generator)> SampleAtAsync(long ticks, CancellationToken cancellationToken) =>
        OnOwnThread("perf load usage", ThreadPriority.BelowNormal, () =>
        {
            if (OperatingSystem.IsLinux())
            {
                Os.LinuxNative.SetCurrentThreadNice(19);
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ticks);
            if (wait > TimeSpan.Zero)
            {
                cancellationToken.WaitHandle.WaitOne(wait); // a cancelled run still reports what it has
            }

            return (_targetProcess?.Sample(), GeneratorResources.Instance.Sample());
        });

    private Task<ScheduleOutcome> StartScheduler(IReadOnlyList<ILoadConnection> connections, LoadTargetContext context, Net.DirectSockets? pump, long startTicks, long endTicks, CancellationToken cancellationToken) =>
        OnOwnThread("perf load scheduler", ThreadPriority.AboveNormal, () => Schedule(connections, context, pump, startTicks, endTicks, cancellationToken));

    // Runs body on a dedicated background thread; the task ends with its result or its exception.
    private static Task<T> OnOwnThread<T>(string name, ThreadPriority priority, Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
            Priority = priority,
        };
        thread.Start();
        return done.Task;
    }

    // A dedicated thread, because timer-driven async waits here wake only every few
    // milliseconds, which would show up as generator lag in every message's latency. With a
    // pump (the target's sockets), the thread also reads arrivals while it waits. Long on purpose:
    // it is the generator's hot loop, whose per-connection state lives in locals and arrays of this
    // one frame (a struct schedule per connection, mutated in place); split, the pieces would pass
    // six of them by ref on every send.
    private ScheduleOutcome Schedule(IReadOnlyList<ILoadConnection> connections, LoadTargetContext context, Net.DirectSockets? pump, long startTicks, long endTicks, CancellationToken cancellationToken)
    {
        PreciseWait.PrepareThread();
        var handoff = pump?.CallerPumps();
        var count = connections.Count;

        // A shard's connections keep their place in the whole run's schedule (same phase, rate and
        // seed as there), so the shards' schedules together are the unsharded one, message for message.
        var slice = _scenario.Slice ?? new ConnectionSlice(0, count, _scenario.RatePerSecond);
        var perConnectionRate = slice.TotalRatePerSecond / slice.TotalConnections;
        var schedules = new ArrivalSchedule[count];
        var nextIndex = new long[count];
        var pending = new Task?[count];
        var done = new bool[count];
        var offsetTicks = (long)(Stopwatch.Frequency / slice.TotalRatePerSecond);
        var followUps = new IFollowUpConnection?[count];
        var anyFollowUps = false;
        for (var c = 0; c < count; c++)
        {
            // Stagger the connections' phases so a constant schedule spreads sends evenly.
            schedules[c] = new ArrivalSchedule(startTicks + ((slice.First + c) * offsetTicks), perConnectionRate, _scenario.Arrival, _scenario.Seed + slice.First + c);
            followUps[c] = connections[c] as IFollowUpConnection;
            anyFollowUps |= followUps[c] is not null;
        }

        long scheduledMeasured = 0;
        var finished = 0;
        while (finished < count && !cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            var nextDue = long.MaxValue;
            for (var c = 0; c < count; c++)
            {
                if (done[c])
                {
                    continue;
                }

                if (schedules[c].PeekTicks >= endTicks)
                {
                    if (followUps[c] is null || now >= endTicks)
                    {
                        done[c] = true;
                        finished++;
                        continue;
                    }

                    // Its schedule is over, but follow-ups due before the end still go out.
                    nextDue = Math.Min(nextDue, endTicks);
                }

                if (pending[c] is { } flush)
                {
                    if (!flush.IsCompleted)
                    {
                        nextDue = Math.Min(nextDue, now + PendingFlushPollTicks);
                        continue;
                    }

                    pending[c] = null;
                    if (!flush.IsCompletedSuccessfully)
                    {
                        // The connection is gone; its remaining messages count as lost.
                        done[c] = true;
                        finished++;
                        continue;
                    }
                }

                var followUpTicks = followUps[c]?.NextFollowUpTicks ?? long.MaxValue;
                if (schedules[c].PeekTicks > now && followUpTicks > now)
                {
                    nextDue = Math.Min(nextDue, Math.Min(schedules[c].PeekTicks, followUpTicks));
                    continue;
                }

                var connection = connections[c];
                while (schedules[c].PeekTicks <= now && schedules[c].PeekTicks < endTicks)
                {
                    var intended = schedules[c].NextTicks();
                    var sequence = (nextIndex[c]++ * count) + c;
                    var measured = context.IsMeasured(intended);
                    context.RecordersFor(measured).Record(LoadStage.GeneratorLag, Stopwatch.GetTimestamp() - intended);
                    context.CountSent(c, intended, measured);
                    if (measured)
                    {
                        scheduledMeasured++;
                    }

                    connection.Write(sequence, intended, measured);

                    // Stamped per message, right after its write: some clients (NATS) send in the
                    // background as soon as a message is buffered, before this batch's flush.
                    context.HandedOff(sequence, Stopwatch.GetTimestamp());
                }

                if (followUps[c] is { } withFollowUps)
                {
                    scheduledMeasured += WriteFollowUps(withFollowUps, c, count, ref nextIndex[c], context, now, endTicks);
                }

                var task = connection.FlushAsync();
                if (!task.IsCompletedSuccessfully)
                {
                    pending[c] = task.AsTask();
                }

                nextDue = Math.Min(nextDue, schedules[c].PeekTicks);
            }

            if (finished < count)
            {
                if (anyFollowUps)
                {
                    WaitForFollowUps(pump, context, nextDue);
                }
                else
                {
                    WaitUntil(pump, nextDue);
                }
            }
        }

        // The receive thread takes the reading back for the drain (and for any flush still pending,
        // whose peer may need us to read before it can take more).
        handoff?.Dispose();

        for (var c = 0; c < count; c++)
        {
            try
            {
                pending[c]?.Wait(_scenario.DrainTimeout);
            }
            catch (AggregateException)
            {
                // Counted as lost by the drain; the target logged why.
            }
        }

        return new ScheduleOutcome(scheduledMeasured);
    }

    // Writes connection c's follow-ups whose time has come (before the schedule's end) as the
    // schedule's own messages are written: the next sequence number of the connection, lag from the
    // intended time, counted sent, stamped at hand-off. Returns how many are in the measured window.
    private static long WriteFollowUps(IFollowUpConnection connection, int c, int count, ref long nextIndex, LoadTargetContext context, long now, long endTicks)
    {
        long measuredCount = 0;
        while (connection.NextFollowUpTicks is var due && due <= now && due < endTicks)
        {
            var started = Stopwatch.GetTimestamp();
            var sequence = (nextIndex++ * count) + c;
            var intended = connection.WriteFollowUp(sequence);
            var measured = context.IsMeasured(intended);
            context.RecordersFor(measured).Record(LoadStage.GeneratorLag, started - intended);
            context.CountSent(c, intended, measured);
            measuredCount += measured ? 1 : 0;
            context.HandedOff(sequence, Stopwatch.GetTimestamp());
        }

        return measuredCount;
    }

    // Sleeps until the next send is due or a follow-up is queued, whichever comes first (see FollowUpSignalAboveTicks).
    private static void WaitForFollowUps(Net.DirectSockets? pump, LoadTargetContext context, long dueTicks)
    {
        var now = Stopwatch.GetTimestamp();
        if (pump is null && dueTicks - now > FollowUpSignalAboveTicks)
        {
            context.WaitForFollowUp(Stopwatch.GetElapsedTime(now, Math.Min(dueTicks, now + (Stopwatch.Frequency / 20)) - FollowUpSignalAboveTicks));
            return;
        }

        WaitUntil(pump, Math.Min(dueTicks, now + FollowUpPollTicks));
    }

    // Sleeps until the next send is due. Never waits more than 50 ms at once, so cancellation and
    // pending flushes are seen promptly.
    private static void WaitUntil(Net.DirectSockets? pump, long dueTicks)
    {
        dueTicks = Math.Min(dueTicks, Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20));
        if (pump is null)
        {
            PreciseWait.Until(dueTicks);
        }
        else
        {
            pump.PumpUntil(dueTicks);
        }
    }

    private async Task DrainAsync(LoadRecorders recorders, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(_scenario.DrainTimeout);
        while (recorders.Delivered + recorders.Rejected < recorders.Sent
            && Stopwatch.GetTimestamp() < deadline
            && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The per-second bookkeeping (swapping and adding histograms, the progress line) runs on a
    // thread of its own at the lowest priority: on a thread-pool thread it ran for up to 3 ms at
    // a time (unoptimised code until tiering catches up, for a method called once a second), and
    // the scheduler let it finish its slice while the scheduling thread, woken for its next
    // send, waited on the same core: that was most of the generator's p99 at 20,000 msgs/s.
    private static Task SampleAsync(LoadRecorders recorders, LoadRecorders warmup, LoadSeries series, long measureStart, IProgress<LoadProgress>? progress, CancellationToken cancellationToken) =>
        OnOwnThread("perf load sampler", ThreadPriority.Normal, () =>
        {
            Sample(recorders, warmup, series, measureStart, progress, cancellationToken);
            return true;
        });

    // During the warm-up the progress line shows the warm-up's own figures (the measured
    // recorders' intervals are taken too, empty, so the interval log has no gap). The seconds are
    // counted from the opening of the measured window, so each series interval (a whole number of
    // seconds) is made of whole one-second intervals.
    private static void Sample(LoadRecorders recorders, LoadRecorders warmup, LoadSeries series, long measureStart, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux())
        {
            Os.LinuxNative.LowerCurrentThreadPriority();
        }

        long lastSent = 0;
        long lastDelivered = 0;
        var lastShown = recorders;
        var every = Ticks(SampleEvery);
        var next = measureStart - (Math.Max(0, measureStart - Stopwatch.GetTimestamp()) / every * every);
        while (true)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (cancellationToken.WaitHandle.WaitOne(wait > TimeSpan.Zero ? wait : TimeSpan.Zero))
            {
                return; // the run ended
            }

            next += every;
            var summary = recorders.TakeInterval();
            while (series.IsDue(Stopwatch.GetTimestamp()))
            {
                series.CloseInterval(); // more than one when this thread woke late
            }

            var warmingUp = Stopwatch.GetTimestamp() < measureStart;
            var shown = warmingUp ? warmup : recorders;
            if (warmingUp)
            {
                summary = warmup.TakeInterval();
            }

            if (shown != lastShown)
            {
                (lastSent, lastDelivered, lastShown) = (0, 0, shown); // the window opened: its counts start from 0
            }

            var sent = shown.Sent;
            var delivered = shown.Delivered;
            var now = Stopwatch.GetTimestamp();
            progress?.Report(new LoadProgress(
                warmingUp ? TimeSpan.Zero : Stopwatch.GetElapsedTime(measureStart, now),
                warmingUp,
                (sent - lastSent) / SampleEvery.TotalSeconds,
                (delivered - lastDelivered) / SampleEvery.TotalSeconds,
                summary,
                shown.Rejected,
                shown.Errors));
            lastSent = sent;
            lastDelivered = delivered;
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    // The Stopwatch timestamp of a UTC time (the wall clock and the Stopwatch read back to back).
    private static long TicksAt(DateTimeOffset utc) => Stopwatch.GetTimestamp() + Ticks(utc - DateTimeOffset.UtcNow);

    private readonly record struct ScheduleOutcome(long ScheduledMeasured);
}
