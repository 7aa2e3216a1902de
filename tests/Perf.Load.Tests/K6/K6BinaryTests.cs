using Perf.Load.K6;

namespace Perf.Load.Tests.K6;

/// <summary>Finding the real k6 on the PATH, and reading its exit codes as k6 defines them.</summary>
public sealed class K6BinaryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("k6-binary-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void Finds_an_executable_k6_in_the_path_and_nothing_else()
    {
        Skip.If(OperatingSystem.IsWindows(), "executable bits are a Unix notion");
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var notExecutable = Directory.CreateDirectory(Path.Combine(_folder, "plain")).FullName;
        File.WriteAllText(Path.Combine(notExecutable, "k6"), "");
        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        var k6 = Path.Combine(bin, "k6");
        File.WriteAllText(k6, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(k6, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Assert.Null(K6Binary.Find(null));
        Assert.Null(K6Binary.Find(string.Join(Path.PathSeparator, empty, notExecutable)));
        Assert.Equal(k6, K6Binary.Find(string.Join(Path.PathSeparator, empty, notExecutable, bin)));
    }

    [Theory]
    [InlineData(0, "every threshold passed")]
    [InlineData(99, "a threshold failed")]
    [InlineData(104, "invalid configuration")]
    [InlineData(107, "threw an exception")]
    [InlineData(108, "aborted the test")]
    [InlineData(1, "k6 failed")]
    public void Reads_k6_exit_codes(int code, string meaning)
    {
        Assert.Contains(meaning, K6Binary.Meaning(code), StringComparison.Ordinal);
    }
}
