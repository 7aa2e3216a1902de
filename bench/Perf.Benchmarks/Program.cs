using BenchmarkDotNet.Running;
using Perf.Benchmarks.Infrastructure;

// Our own switches (every other argument is BenchmarkDotNet's: --filter, --artifacts, ...):
//   --quick      a short job: 3 warm-up, 10 measured iterations (enough for perf gate's test)
//   --smoke      a very short job: 1 warm-up, 5 iterations of 100 ms (perf quick's subset)
//   --inprocess  run benchmarks in this process instead of a generated child project (faster to start)
var job = Array.IndexOf(args, "--smoke") >= 0 ? BenchmarkJob.Smoke : Array.IndexOf(args, "--quick") >= 0 ? BenchmarkJob.Quick : BenchmarkJob.Default;
var inProcess = Array.IndexOf(args, "--inprocess") >= 0;
var rest = Array.FindAll(args, a => a is not ("--quick" or "--smoke" or "--inprocess"));
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(rest, BenchmarkConfig.Create(job, inProcess));
