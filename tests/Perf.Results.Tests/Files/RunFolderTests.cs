using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;

namespace Perf.Results.Tests.Files;

public sealed class RunFolderTests : TempFolder
{
    [Fact]
    public void Creates_a_timestamped_folder_under_runs()
    {
        string path = RunFolder.Create(Folder, "relay tcp/256B", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));

        Assert.True(Directory.Exists(path));
        // 03:04:05 at +02:00 is 01:04:05 UTC; '/' and ' ' are not allowed in the name.
        Assert.Equal(Path.Combine(Folder, "runs", "20260102-010405-relay-tcp-256B"), path);
    }

    [Fact]
    public void A_name_without_letters_or_digits_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RunFolder.Create(Folder, "///"));
    }

    [Fact]
    public void Environment_capture_describes_this_process()
    {
        string notARepository = Directory.CreateDirectory(Path.Combine(Folder, "plain")).FullName;

        var environment = EnvironmentInfo.Capture("dotnet", "aes256gcm", notARepository);

        Assert.Equal(System.Environment.ProcessorCount, environment.Cores);
        Assert.Contains(".NET", environment.DotnetVersion, StringComparison.Ordinal);
        Assert.Equal(System.Runtime.GCSettings.IsServerGC, environment.GcServer);
        Assert.False(string.IsNullOrWhiteSpace(environment.CpuModel));
        Assert.Null(environment.GitCommit);
        Assert.Null(environment.MachineName);
        Assert.Equal("dotnet", environment.Backend);
    }
}
