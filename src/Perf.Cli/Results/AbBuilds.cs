using System.Diagnostics;
using Perf.Cli.Bench;
using Perf.Results;

namespace Perf.Cli.Results;

/// <summary>
/// The two builds of an A/B gate: each commit checked out as a detached git worktree under the
/// repository's git-ignored <c>.gate/</c> folder (reused when the same commit is gated again) and
/// built in Release.
/// </summary>
internal sealed class AbBuilds(string repoRoot, TextWriter log)
{
    /// <summary>The folder holding the worktrees, relative to the repository root (git-ignored).</summary>
    public const string Folder = ".gate";

    /// <summary>The full commit hash <paramref name="reference"/> names.</summary>
    /// <exception cref="BadInputException">When it names no commit here.</exception>
    public async Task<string> ResolveAsync(string reference, string option, CancellationToken cancellationToken)
    {
        var (code, output, error) = await GitAsync(["rev-parse", "--verify", "--quiet", reference + "^{commit}"], cancellationToken).ConfigureAwait(false);
        if (code != 0 || output.Length == 0)
        {
            throw new BadInputException($"{option} {reference}: not a commit in {repoRoot}{(error.Length > 0 ? $" ({error})" : "")}");
        }

        return output;
    }

    /// <summary>Whether tracked files differ from HEAD: such changes are in no commit, so no side measures them.</summary>
    public async Task<bool> HasUncommittedChangesAsync(CancellationToken cancellationToken) =>
        (await GitAsync(["status", "--porcelain", "--untracked-files=no"], cancellationToken).ConfigureAwait(false)).Output.Length > 0;

    /// <summary>
    /// Checks <paramref name="commit"/> out (once) and builds <paramref name="project"/> (a path
    /// relative to the repository) in Release; returns the worktree's folder.
    /// </summary>
    /// <exception cref="BadInputException">When the checkout or the build fails (the build's last lines are in the message).</exception>
    public async Task<string> BuildAsync(string commit, string project, CancellationToken cancellationToken)
    {
        var worktree = Path.Combine(repoRoot, Folder, commit[..12]);
        if (!Directory.Exists(worktree) || (await GitAsync(["-C", worktree, "rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false)).Output != commit)
        {
            if (Directory.Exists(worktree))
            {
                Directory.Delete(worktree, recursive: true);
            }

            await GitAsync(["worktree", "prune"], cancellationToken).ConfigureAwait(false);
            var (code, _, error) = await GitAsync(["worktree", "add", "--detach", "--force", worktree, commit], cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new BadInputException($"git worktree add {worktree} {commit[..12]} failed: {error}");
            }
        }

        log.WriteLine($"build: {commit[..12]} {project} (Release) in {Path.GetRelativePath(repoRoot, worktree)}/");
        var build = new ProcessStartInfo("dotnet") { ArgumentList = { "build", Path.Combine(worktree, project), "-c", "Release", "-nologo", "-v", "quiet" } };
        var lines = new ProcessLog();
        var stopwatch = Stopwatch.StartNew();
        int exit = await ChildProcess.RunAsync(build, lines.Add, lines.Add, cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new BadInputException($"the build of {commit[..12]} failed (dotnet build exit {exit}): {lines.Errors(3)}");
        }

        log.WriteLine($"build: {commit[..12]} done in {stopwatch.Elapsed.TotalSeconds:0} s");
        return worktree;
    }

    private async Task<(int Code, string Output, string Error)> GitAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repoRoot };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var error = new List<string>();
        var (code, output) = await ChildProcess.CaptureAsync(start, error.Add, cancellationToken).ConfigureAwait(false);
        return (code, output.Trim(), string.Join(" ", error).Trim());
    }
}
