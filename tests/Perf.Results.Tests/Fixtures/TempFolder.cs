namespace Perf.Results.Tests.Fixtures;

/// <summary>A fresh temporary folder per test class instance, deleted afterwards; tests derive from it.</summary>
public abstract class TempFolder : IDisposable
{
    protected TempFolder() => Folder = Directory.CreateTempSubdirectory("perf-results-tests-").FullName;

    protected string Folder { get; }

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
