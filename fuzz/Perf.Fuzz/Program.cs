using Perf.Fuzz;
using SharpFuzz;

// Entry point of the harnesses. fuzz/run calls it; by hand:
//   list                      the targets, one per line: name, then what its contract allows
//   fuzz TARGET               under afl-fuzz (SharpFuzz's fork server, input on stdin)
//   seeds FUZZ_DIR            rewrite FUZZ_DIR/corpus/<target>/ and FUZZ_DIR/dictionaries/<target>.dict from the real writers
//   replay TARGET PATH...     run files (or every file in folders) once each; exit 1 if any crashes
try
{
    switch (args)
    {
        case ["list"]:
            foreach (var target in FuzzTargets.All)
            {
                Console.WriteLine($"{target.Name}\t{target.Description}");
            }

            return 0;
        case ["fuzz", var name]:
            Fuzz(FuzzTargets.Find(name));
            return 0;
        case ["seeds", var fuzzDirectory]:
            foreach (var target in FuzzTargets.All)
            {
                Console.WriteLine($"{target.Name}: {CorpusFiles.WriteSeeds(target, fuzzDirectory)} seeds");
            }

            return 0;
        case ["replay", var name, .. var paths] when paths.Length > 0:
            return CorpusFiles.Replay(FuzzTargets.Find(name), paths, Console.Out) ? 0 : 1;
        default:
            Console.Error.WriteLine("usage: Perf.Fuzz list | fuzz TARGET | seeds FUZZ_DIR | replay TARGET PATH...");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// SharpFuzz's fork server hands each input on stdin; anything that escapes Run is a crash.
static void Fuzz(FuzzTarget target)
{
    var buffer = new byte[1 << 16];
    Fuzzer.Run(stream =>
    {
        var length = 0;
        int read;
        while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        target.Run(buffer.AsSpan(0, length));
    });
}
