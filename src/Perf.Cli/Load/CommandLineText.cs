namespace Perf.Cli.Load;

/// <summary>The command line as result files record it, with the values of secret-bearing options replaced by <c>***</c>.</summary>
internal static class CommandLineText
{
    private static readonly string[] SecretOptions = ["--ws-secret", "--secret", "--token", "--key"];

    public static string Redacted(IReadOnlyList<string> args)
    {
        var parts = new List<string>(args.Count + 1) { "perf" };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var secretWithValue = Array.Find(SecretOptions, o => arg.StartsWith(o + "=", StringComparison.Ordinal));
            if (secretWithValue is not null)
            {
                parts.Add(secretWithValue + "=***");
            }
            else if (Array.IndexOf(SecretOptions, arg) >= 0 && i + 1 < args.Count)
            {
                parts.Add(arg);
                parts.Add("***");
                i++;
            }
            else
            {
                parts.Add(arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg);
            }
        }

        return string.Join(' ', parts);
    }
}
