using Perf.Cli.Tests.Results;
using Perf.Load.Shards;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Processes;
using YamlDotNet.RepresentationModel;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// The Kubernetes Indexed Job sample (<c>loadtest/perf-k8s/shards-job.yaml</c>) read as YAML: an
/// Indexed Job whose N pods each run one shard of N, and whose command, as Kubernetes expands it for
/// each pod, is a <c>perf load</c> the command line accepts; run here (smaller counts, the fleet a
/// real <c>perf relay</c> on loopback) its N shards' logs merge into one run.
/// </summary>
public sealed class ShardJobSampleTests : TempFolder
{
    private const string SamplePath = "loadtest/perf-k8s/shards-job.yaml";

    // The sample's load, made small enough for a test; every other argument is the sample's own.
    private static readonly Dictionary<string, string> SmallLoad = new(StringComparer.Ordinal)
    {
        ["--connections"] = "8",
        ["--rate"] = "200",
        ["--idle-connections"] = "8",
        ["--warmup"] = "500ms",
        ["--duration"] = "2s",
    };

    [Fact]
    public void The_sample_is_an_indexed_job_whose_pods_run_shard_i_of_n_with_one_start_and_print_their_results()
    {
        var job = Sample();
        Assert.Equal("batch/v1", Text(job, "apiVersion"));
        Assert.Equal("Job", Text(job, "kind"));
        var spec = Map(job, "spec");
        Assert.Equal("Indexed", Text(spec, "completionMode"));
        var count = int.Parse(Text(spec, "completions"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(count, int.Parse(Text(spec, "parallelism"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0", Text(spec, "backoffLimit"));

        var container = Container(job);
        var args = Args(container);
        Assert.Equal("load", args[0]);
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{count}", ValueOf(args, "--shard"));
        Assert.Equal("$(START_AT)", ValueOf(args, "--start-at"));
        Assert.Contains("--result-stdout", args);
        Assert.StartsWith("relay-cluster://", ValueOf(args, "--target"), StringComparison.Ordinal);

        // Every $(VAR) the arguments use is defined in the container's env; the index from the Job's annotation.
        var env = Env(container);
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", Text(Map(Map(env["JOB_COMPLETION_INDEX"], "valueFrom"), "fieldRef"), "fieldPath"));
        foreach (var arg in args)
        {
            foreach (System.Text.RegularExpressions.Match use in System.Text.RegularExpressions.Regex.Matches(arg, @"\$\(([A-Z_]+)\)"))
            {
                Assert.True(env.ContainsKey(use.Groups[1].Value), $"{arg}: {use.Groups[1].Value} is not in the container's env");
            }
        }

        // The README's sed fills START_AT: the placeholder is there to be replaced.
        Assert.Equal("START_AT", Text(env["START_AT"], "value"));
    }

    [SkippableFact]
    public async Task Its_pods_commands_as_kubernetes_expands_them_run_here_and_their_logs_merge_into_one_run()
    {
        var job = Sample();
        var count = int.Parse(Text(Map(job, "spec"), "completions"), System.Globalization.CultureInfo.InvariantCulture);
        var args = Args(Container(job));
        await using var relay = await PerfBinary.StartRelayAsync();
        // Far enough ahead for four in-process shards to open their connections on a loaded machine.
        var start = ShardStart.Format(DateTimeOffset.UtcNow.AddSeconds(15));

        // What the kubelet runs in pod I: $(VAR) replaced from the env; here the fleet is one local relay.
        string[] PodCommand(int index)
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["JOB_COMPLETION_INDEX"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["START_AT"] = start,
                ["RELAY_KEY"] = Convert.ToBase64String(relay.RelayKey),
            };
            var command = new List<string>(args.Count);
            for (var i = 0; i < args.Count; i++)
            {
                var arg = System.Text.RegularExpressions.Regex.Replace(args[i], @"\$\(([A-Z_]+)\)", m => variables[m.Groups[1].Value]);
                if (i > 0 && args[i - 1] == "--target")
                {
                    arg = $"relay-cluster://{relay.TcpEndPoint}";
                }
                else if (i > 0 && SmallLoad.TryGetValue(args[i - 1], out var small))
                {
                    arg = small;
                }

                command.Add(arg);
            }

            return [.. command];
        }

        var pods = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => CliRun.Invoke(PodCommand(i)))));
        Assert.All(pods, pod => Assert.True(pod.ExitCode == PerfCommandLine.Ok, pod.Error));

        // The README's collection: each pod's log, perf k6 extract, perf merge.
        var logs = new string[count];
        for (var i = 0; i < count; i++)
        {
            logs[i] = Path.Combine(Folder, $"perf-load-shards-{i}.log");
            File.WriteAllText(logs[i], pods[i].Output);
        }

        var extracted = Path.Combine(Folder, "k8s-shards");
        var extract = CliRun.Invoke(["k6", "extract", .. logs, "--out", extracted]);
        Assert.True(extract.ExitCode == PerfCommandLine.Ok, extract.Error);
        var merge = CliRun.Invoke(["merge", .. Directory.GetFiles(extracted, "*.json"), "--out", Path.Combine(Folder, "merged")]);
        Assert.True(merge.ExitCode == PerfCommandLine.Ok, merge.Error);

        var merged = ResultFile.Read(Path.Combine(Folder, "merged", "result.json"));
        Assert.Equal(count, merged.Shards!.Count);
        Assert.Equal((8, 200.0), (merged.Scenario.Connections, merged.Scenario.Rate));
        Assert.Equal(400, merged.Metrics.Sent); // 200 msgs/s for 2 s, every connection's schedule in one shard or another
        Assert.Equal(merged.Metrics.Sent, merged.Metrics.Delivered);
        Assert.Equal(0, merged.Metrics.Lost);
        Assert.Equal("relay-cluster", merged.Scenario.Target);
    }

    private static YamlMappingNode Sample()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryRoot(), SamplePath)))
        {
            stream.Load(reader);
        }

        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static YamlMappingNode Container(YamlMappingNode job)
    {
        var containers = Assert.IsType<YamlSequenceNode>(Map(Map(Map(job, "spec"), "template"), "spec").Children[new YamlScalarNode("containers")]);
        return Assert.IsType<YamlMappingNode>(Assert.Single(containers.Children));
    }

    private static List<string> Args(YamlMappingNode container) =>
        [.. Assert.IsType<YamlSequenceNode>(container.Children[new YamlScalarNode("args")]).Children.Select(a => Assert.IsType<YamlScalarNode>(a).Value!)];

    private static Dictionary<string, YamlMappingNode> Env(YamlMappingNode container)
    {
        var env = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        foreach (var entry in Assert.IsType<YamlSequenceNode>(container.Children[new YamlScalarNode("env")]).Children)
        {
            var variable = Assert.IsType<YamlMappingNode>(entry);
            env.Add(Text(variable, "name"), variable);
        }

        return env;
    }

    private static string ValueOf(List<string> args, string option)
    {
        var at = args.IndexOf(option);
        Assert.True(at >= 0 && at + 1 < args.Count, $"{option} has no value in the sample");
        return args[at + 1];
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => Assert.IsType<YamlMappingNode>(node.Children[new YamlScalarNode(key)]);

    private static string Text(YamlMappingNode node, string key) => Assert.IsType<YamlScalarNode>(node.Children[new YamlScalarNode(key)]).Value!;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perf.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Perf.sln not found above " + AppContext.BaseDirectory);
    }
}
