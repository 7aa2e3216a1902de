namespace Perf.Vectors;

/// <summary>
/// One row of a vector run: how many cases of one file, for one algorithm (or Noise protocol
/// name) on one backend, passed, failed or were skipped. <c>perf selftest</c> prints these as a
/// table, or with <c>--json</c> as objects with exactly these keys (camel-cased).
/// </summary>
/// <param name="File">The vector file's name (not its full path).</param>
/// <param name="Algorithm">The algorithm as the file names it, or the Noise protocol name.</param>
/// <param name="Backend">The backend that ran the cases (<c>sodium</c>, <c>openssl</c>), or <c>-</c> where none applies.</param>
/// <param name="Passed">Cases that gave the expected answer.</param>
/// <param name="Failed">Cases that did not.</param>
/// <param name="Skipped">Cases not run (unsupported parameters, an unsupported algorithm or backend).</param>
public sealed record VectorResultRow(string File, string Algorithm, string Backend, int Passed, int Failed, int Skipped);
