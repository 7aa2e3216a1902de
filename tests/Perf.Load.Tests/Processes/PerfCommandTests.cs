using Perf.Load.Processes;

namespace Perf.Load.Tests.Processes;

/// <summary>How a perf child is started from a test host: the same dotnet, with the perf.dll named.</summary>
public sealed class PerfCommandTests
{
    [Fact]
    public void Under_a_test_host_perf_runs_as_dotnet_perf_dll_with_the_arguments_after_it()
    {
        var start = PerfCommand.StartInfo("/opt/perf/perf.dll", ["echo", "--listen", "127.0.0.1:0"]);

        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(start.FileName));
        Assert.Equal(["/opt/perf/perf.dll", "echo", "--listen", "127.0.0.1:0"], start.ArgumentList);
    }
}
