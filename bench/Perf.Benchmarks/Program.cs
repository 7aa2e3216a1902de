using BenchmarkDotNet.Running;
using Perf.Benchmarks.Infrastructure;

// Our own switches (every other argument is BenchmarkDotNet's: --filter, --artifacts, ...):
//   --quick      a short job: 3 warm-up, 10 measured iterations (enough for perf gate's test)
//   --smoke      a very short job: 1 warm-up, 5 iterations of 100 ms (perf quick's subset)
//   --round      one round of perf gate --ab: 2 warm-up, 6 iterations of 25 ms, run in process by the gate
//   --inprocess  run benchmarks in this process instead of a generated child project (faster to start)
var job = Array.IndexOf(args, "--round") >= 0 ? BenchmarkJob.Round
    : Array.IndexOf(args, "--smoke") >= 0 ? BenchmarkJob.Smoke
    : Array.IndexOf(args, "--quick") >= 0 ? BenchmarkJob.Quick
    : BenchmarkJob.Default;
try
{
    // A malformed calibration knob fails here, once, not as a setup error in every case.
    InjectedSlowdown.Configured();
}
catch (FormatException e)
{
    Console.Error.WriteLine($"perf-bench: {e.Message}");
    return 2;
}

var inProcess = Array.IndexOf(args, "--inprocess") >= 0;
var rest = Array.FindAll(args, a => a is not ("--quick" or "--smoke" or "--round" or "--inprocess"));
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(rest, BenchmarkConfig.Create(job, inProcess));
return 0;
