using System.Diagnostics;
using Perf.Load.Engine;

namespace Perf.Load.Processes;

/// <summary>
/// The processes of one kind in a cluster (the relay nodes, or the NATS nodes), read as one: CPU
/// time and context switches are the sum over every process that ever held a slot (a killed
/// process's last reading is kept, so a kill does not make the group's CPU time go backwards),
/// resident memory the sum over the live ones.
/// </summary>
public sealed class ProcessGroup : IProcessResources, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly ChildProcess?[] _live;
    private TimeSpan _retiredCpu;
    private long _retiredSwitches;

    /// <summary>A group of <paramref name="slots"/> slots, all empty.</summary>
    public ProcessGroup(string name, int slots)
    {
        Name = name;
        _live = new ChildProcess?[slots];
    }

    /// <summary>What runs in the group: <c>perf relay</c> or <c>nats-server</c>.</summary>
    public string Name { get; }

    /// <summary>How many slots (nodes) the group has.</summary>
    public int Count => _live.Length;

    /// <summary>The process in slot <paramref name="index"/>, or <c>null</c> while it is down.</summary>
    public ChildProcess? this[int index]
    {
        get
        {
            lock (_gate)
            {
                return _live[index];
            }
        }
    }

    /// <summary>Puts <paramref name="process"/> in the empty slot <paramref name="index"/>.</summary>
    public void Set(int index, ChildProcess process)
    {
        lock (_gate)
        {
            if (_live[index] is not null)
            {
                throw new InvalidOperationException($"{Name} node {index} is still running");
            }

            _live[index] = process;
        }
    }

    /// <summary>SIGKILLs the process in slot <paramref name="index"/> (its CPU time so far stays counted) and empties the slot; false when it was already down.</summary>
    public async Task<bool> KillAsync(int index)
    {
        ChildProcess? victim;
        lock (_gate)
        {
            victim = _live[index];
            if (victim is null)
            {
                return false;
            }

            try
            {
                var last = victim.Sample();
                _retiredCpu += last.CpuTime;
                _retiredSwitches += last.ContextSwitches;
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It died on its own already.
            }

            _live[index] = null;
        }

        await victim.KillAsync().ConfigureAwait(false);
        await victim.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public ProcessResourceSample Sample()
    {
        lock (_gate)
        {
            var cpu = _retiredCpu;
            var switches = _retiredSwitches;
            long resident = 0;
            foreach (var process in _live)
            {
                if (process is null)
                {
                    continue;
                }

                ProcessResourceSample sample;
                try
                {
                    sample = process.Sample();
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It died on its own; its last CPU time is lost with it.
                    continue;
                }

                cpu += sample.CpuTime;
                switches += sample.ContextSwitches;
                resident += sample.ResidentBytes;
            }

            return new ProcessResourceSample(cpu, resident, Stopwatch.GetTimestamp(), switches);
        }
    }

    /// <summary>Stops every live process, all at once (each SIGTERM, then SIGKILL after its grace period).</summary>
    public async ValueTask DisposeAsync()
    {
        var stopping = new List<Task>(_live.Length);
        lock (_gate)
        {
            for (var i = 0; i < _live.Length; i++)
            {
                if (_live[i] is { } process)
                {
                    stopping.Add(process.DisposeAsync().AsTask());
                }

                _live[i] = null;
            }
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
    }
}
