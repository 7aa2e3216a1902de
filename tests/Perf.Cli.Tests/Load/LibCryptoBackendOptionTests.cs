using System.Diagnostics;
using Perf.Cli.Load;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// <c>--backend libcrypto</c> on a machine without a usable OpenSSL 3 libcrypto: one clear line and
/// exit 2, while <c>--backend auto</c> falls back and runs. The machine is made to look like one
/// without libcrypto by pointing <c>RELAY_LIBCRYPTO_PATH</c> at a file that does not exist, in a
/// child <c>perf</c> process (the library is resolved once per process).
/// </summary>
public sealed class LibCryptoBackendOptionTests
{
    private const string MissingLibrary = "/nonexistent/openssl/libcrypto.so.3";

    [Theory]
    [InlineData("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--backend", "libcrypto")]
    [InlineData("load", "--target", "echo", "--duration", "1s", "--warmup", "0s", "--backend", "libcrypto", "--cipher", "chachapoly")]
    public async Task Without_libcrypto_the_libcrypto_backend_is_one_line_and_exit_2(params string[] arguments)
    {
        using var perf = StartPerf(arguments);

        var (exitCode, error) = await WaitAsync(perf);

        Assert.Equal(PerfCommandLine.BadInput, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--backend libcrypto cannot run", line, StringComparison.Ordinal);
        Assert.Contains(MissingLibrary, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_libcrypto_a_relay_on_auto_starts_and_serves()
    {
        using var perf = StartPerf("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--backend", "auto", "--ws-secret", "a-load-test-secret-0123");
        try
        {
            var line = await perf.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.StartsWith("relay listening tcp=", line, StringComparison.Ordinal);
        }
        finally
        {
            perf.Kill(entireProcessTree: true);
            await perf.WaitForExitAsync();
        }
    }

    private static Process StartPerf(params string[] arguments)
    {
        var info = PerfChildCommand.StartInfo();
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RELAY_LIBCRYPTO_PATH"] = MissingLibrary;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return Process.Start(info) ?? throw new InvalidOperationException("perf did not start");
    }

    private static async Task<(int ExitCode, string Error)> WaitAsync(Process perf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = perf.StandardError.ReadToEndAsync(timeout.Token);
        _ = perf.StandardOutput.ReadToEndAsync(timeout.Token);
        try
        {
            await perf.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            perf.Kill(entireProcessTree: true);
            throw;
        }

        return (perf.ExitCode, await error);
    }
}
