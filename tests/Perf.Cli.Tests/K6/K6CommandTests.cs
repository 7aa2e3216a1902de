using Perf.Cli.Tests.Results;
using Perf.Load.K6;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.K6;

public sealed class K6CommandTests : TempFolder
{
    private const string Secret = "k6-cli-secret-0123456789";

    [Fact]
    public void Prepare_writes_a_data_file_and_prints_no_secret()
    {
        var path = Path.Combine(Folder, "data", "users.json");

        var result = CliRun.Invoke("k6", "prepare", "--users", "4", "--ws-secret", Secret, "--out", path);

        Assert.Equal(PerfCommandLine.Ok, result.ExitCode);
        var data = K6DataFile.Parse(File.ReadAllText(path));
        Assert.Equal(4, data.Users.Count);
        Assert.Equal("ring", data.Pairs);
        Assert.Contains("wrote 4 users", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(data.Users[0].Token, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_refuses_bad_values_with_one_line()
    {
        var path = Path.Combine(Folder, "users.json");
        CliRun.Invoke("k6", "prepare", "--users", "1", "--ws-secret", Secret, "--out", path).AssertBadInput("--users must be 2 to");
        CliRun.Invoke("k6", "prepare", "--users", "3", "--pairs", "pairs", "--ws-secret", Secret, "--out", path).AssertBadInput("even number of users");
        CliRun.Invoke("k6", "prepare", "--users", "2", "--pairs", "mesh", "--ws-secret", Secret, "--out", path).AssertBadInput("--pairs takes ring or pairs");
        CliRun.Invoke("k6", "prepare", "--users", "2", "--ws-secret", "short", "--out", path).AssertBadInput("at least 16 characters");
        CliRun.Invoke("k6", "prepare", "--users", "2", "--ws-secret", Secret, "--ttl", "-1h", "--out", path).AssertBadInput("--ttl takes a positive time");
        CliRun.Invoke("k6", "prepare", "--users", "2", "--ws-secret", Secret, "--out", Folder).AssertBadInput("cannot write");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Peer_refuses_a_bad_url_file_or_user_before_connecting()
    {
        var path = Path.Combine(Folder, "users.json");
        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("k6", "prepare", "--users", "2", "--ws-secret", Secret, "--out", path).ExitCode);
        File.WriteAllText(Path.Combine(Folder, "bad.json"), "{\"format\":\"nope\"}");

        CliRun.Invoke("k6", "peer", "--relay", "http://127.0.0.1:1/ws", "--data", path, "--user", "0").AssertBadInput("ws:// or wss:// URL");
        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", Path.Combine(Folder, "bad.json"), "--user", "0").AssertBadInput("not a k6 data file");
        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", Path.Combine(Folder, "missing.json"), "--user", "0").AssertBadInput("missing.json");
        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", path, "--user", "2").AssertBadInput("--user must be 0 to 1");
        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", path, "--user", "0").AssertBadInput("cannot connect");
    }

    [Fact]
    public void Peer_refuses_a_damaged_session_state_by_user_and_session()
    {
        var path = Path.Combine(Folder, "users.json");
        Assert.Equal(PerfCommandLine.Ok, CliRun.Invoke("k6", "prepare", "--users", "2", "--ws-secret", Secret, "--out", path).ExitCode);
        var data = K6DataFile.Parse(File.ReadAllText(path));
        var damagedKey = data with { Users = [data.Users[0] with { Sessions = [data.Users[0].Sessions[0] with { SendChainKey = "not base64!" }] }, data.Users[1]] };
        var unknownAlgorithm = data with { Users = [data.Users[0] with { Sessions = [data.Users[0].Sessions[0] with { Algorithm = "rot13" }] }, data.Users[1]] };
        File.WriteAllText(Path.Combine(Folder, "damaged.json"), damagedKey.ToJson());
        File.WriteAllText(Path.Combine(Folder, "algorithm.json"), unknownAlgorithm.ToJson());

        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", Path.Combine(Folder, "damaged.json"), "--user", "0").AssertBadInput("user 0, session 0:");
        CliRun.Invoke("k6", "peer", "--relay", "ws://127.0.0.1:1/ws", "--data", Path.Combine(Folder, "algorithm.json"), "--user", "0").AssertBadInput("unknown algorithm 'rot13'");
    }
}
