namespace Perf.Fuzz;

/// <summary>Writes a target's seed corpus and dictionary, and replays saved inputs outside afl-fuzz.</summary>
internal static class CorpusFiles
{
    /// <summary>Replaces <c>corpus/NAME/</c> (and <c>dictionaries/NAME.dict</c>) under <paramref name="fuzzDirectory"/>; returns the seed count.</summary>
    public static int WriteSeeds(FuzzTarget target, string fuzzDirectory)
    {
        var folder = Path.Combine(fuzzDirectory, "corpus", target.Name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var count = 0;
        foreach (var seed in target.Seeds())
        {
            File.WriteAllBytes(Path.Combine(folder, seed.Name), seed.Bytes);
            count++;
        }

        var tokens = target.DictionaryTokens().ToList();
        var dictionary = Path.Combine(fuzzDirectory, "dictionaries", target.Name + ".dict");
        if (tokens.Count > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dictionary)!);
            File.WriteAllLines(dictionary, tokens.Select(Quote));
        }

        return count;
    }

    /// <summary>
    /// Runs each file (every file of a folder) through the target once, printing one line per file and
    /// the exception of each crash; true when none crashed.
    /// </summary>
    public static bool Replay(FuzzTarget target, IEnumerable<string> paths, TextWriter output)
    {
        var passed = true;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                output.WriteLine($"ok     {file}");
            }
            catch (Exception e)
            {
                passed = false;
                output.WriteLine($"crash  {file}: {e}");
            }
        }

        return passed;
    }

    // afl-fuzz dictionary lines: "token", with \, " and bytes outside printable ASCII escaped as \xNN.
    private static string Quote(string token)
    {
        var escaped = new System.Text.StringBuilder("\"");
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(token))
        {
            escaped.Append(b is (byte)'"' or (byte)'\\' or < 0x20 or > 0x7E ? $"\\x{b:X2}" : ((char)b).ToString());
        }

        return escaped.Append('"').ToString();
    }
}
