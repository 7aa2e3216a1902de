using System.Diagnostics;
using System.Text;
using Perf.Results.Reports.Run;

namespace Perf.Cli.Bench;

/// <summary>
/// Records the machine's native AEAD ceiling — <c>openssl speed -evp aes-256-gcm</c> and
/// <c>-evp chacha20-poly1305</c> at 16 KiB — into a run folder as <c>openssl-speed.txt</c>,
/// where <c>perf report</c> sets the AEAD figures beside it. Skipped when openssl is absent.
/// </summary>
internal static class OpenSslSpeedRecorder
{
    public static async Task<bool> RecordAsync(string folder, int seconds, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var algorithm in new[] { "aes-256-gcm", "chacha20-poly1305" })
        {
            var start = new ProcessStartInfo("openssl")
            {
                ArgumentList = { "speed", "-evp", algorithm, "-bytes", "16384", "-seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            try
            {
                using var process = Process.Start(start)!;
                var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
                _ = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                text.Append(await stdout.ConfigureAwait(false));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, OpenSslSpeed.FileName), text.ToString(), cancellationToken).ConfigureAwait(false);
        return OpenSslSpeed.Parse(text.ToString()).Count > 0;
    }
}
