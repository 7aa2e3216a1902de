using System.Diagnostics;
using Perf.Load.Engine;
using Perf.Load.Processes;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// The processes of one kind in a cluster (the relay nodes, or the NATS nodes), read as one: CPU
/// time and context switches are the sum over every process that ever held a slot (a killed
/// process's last reading is kept, so a kill does not make the group's CPU time go backwards),
/// resident memory the sum over the live ones.
/// </summary>
public sealed class ProcessGroup : IProcessResources, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly TargetProcess?[] _live;
    private TimeSpan _retiredCpu;
    private long _retiredSwitches;

    /// <summary>A group of <paramref name="slots"/> slots, all empty.</summary>
    public ProcessGroup(string name, int slots)
    {
        Name = name;
        _live = new TargetProcess?[slots];
    }

    /// <summary>What runs in the group: <c>perf relay</c> or <c>nats-server</c>.</summary>
    public string Name { get; }

    /// <summary>How many slots (nodes) the group has.</summary>
    public int Count => _live.Length;

    /// <summary>The process in slot <paramref name="index"/>, or <c>null</c> while it is down.</summary>
    public TargetProcess? this[int index]
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
    public void Set(int index, TargetProcess process)
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
        TargetProcess? victim;
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

        // Process.Kill is SIGKILL on Unix.
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

    /// <summary>Stops every live process.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _live.Length; i++)
        {
            TargetProcess? process;
            lock (_gate)
            {
                process = _live[i];
                _live[i] = null;
            }

            if (process is not null)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
