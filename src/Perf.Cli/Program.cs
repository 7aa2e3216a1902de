using Perf.Cli;

return await PerfCommandLine.InvokeAsync(args, Console.Out, Console.Error);
