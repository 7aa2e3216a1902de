using BenchmarkDotNet.Running;
using Perf.Benchmarks.Infrastructure;

// `--quick` is ours (a short job); every other argument is BenchmarkDotNet's (--filter, --artifacts, ...).
var quick = Array.IndexOf(args, "--quick") >= 0;
var rest = Array.FindAll(args, a => a != "--quick");
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(rest, BenchmarkConfig.Create(quick));
