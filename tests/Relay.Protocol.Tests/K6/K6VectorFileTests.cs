namespace Relay.Protocol.Tests.K6;

/// <summary>
/// The k6 library's Node tests check their frame and envelope code against
/// <c>loadtest/k6/test/vectors.json</c>; this test keeps that file equal to what the C# code
/// produces, so a change to either side's bytes fails here or there.
/// </summary>
public sealed class K6VectorFileTests
{
    [Fact]
    public void Committed_vectors_match_what_the_csharp_code_produces()
    {
        var path = VectorFilePath();
        var expected = K6VectorSet.Build();
        if (Environment.GetEnvironmentVariable("PERF_UPDATE_K6_VECTORS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate it with PERF_UPDATE_K6_VECTORS=1 dotnet test tests/Relay.Protocol.Tests");
        Assert.Equal(expected, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_vector_set_is_reproducible()
    {
        Assert.Equal(K6VectorSet.Build(), K6VectorSet.Build());
    }

    private static string VectorFilePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perf.sln")))
            {
                return Path.Combine(dir.FullName, "loadtest", "k6", "test", "vectors.json");
            }
        }

        throw new DirectoryNotFoundException("Perf.sln not found above " + AppContext.BaseDirectory);
    }
}
