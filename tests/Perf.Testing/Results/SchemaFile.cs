namespace Perf.Testing.Results;

/// <summary>Finds the committed <c>perf-result/1</c> JSON Schema above the test binaries.</summary>
public static class SchemaFile
{
    public static string Path()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "results", "schema", "perf-result-1.schema.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("results/schema/perf-result-1.schema.json not found above " + AppContext.BaseDirectory);
    }
}
