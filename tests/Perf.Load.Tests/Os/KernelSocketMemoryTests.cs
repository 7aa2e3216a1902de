using Perf.Load.Os;

namespace Perf.Load.Tests.Os;

public sealed class KernelSocketMemoryTests
{
    private const string Sockstat = "sockets: used 34\nTCP: inuse 10 orphan 0 tw 177 alloc 11 mem 3\nUDP: inuse 0 mem 0\n";

    private const string Slabinfo = """
        slabinfo - version: 2.1
        # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
        TCPv6                117    117   2496   13    8 : tunables    0    0    0 : slabdata      9      9      0
        TCP                   78    130   2368   13    8 : tunables    0    0    0 : slabdata     10     10      0
        eventpoll_epi        581    768    128   32    1 : tunables    0    0    0 : slabdata     24     24      0
        sock_inode_cache     228    228    832   19    4 : tunables    0    0    0 : slabdata     12     12      0
        filp                1512   1512    192   21    1 : tunables    0    0    0 : slabdata     72     72      0
        dentry            205509 205632    192   21    1 : tunables    0    0    0 : slabdata   9792   9792      0
        """;

    [Fact]
    public void Sockstat_gives_the_tcp_sockets_and_their_buffer_pages()
    {
        var memory = KernelSocketMemory.Parse(Sockstat, null, 4096)!.Value;

        Assert.Equal(10, memory.TcpSocketsInUse);
        Assert.Equal(3 * 4096, memory.BufferBytes);
        Assert.Null(memory.SlabBytes);
        Assert.Equal("sockstat", memory.Source);
    }

    [Fact]
    public void Slabinfo_adds_the_socket_caches_active_objects_and_nothing_else()
    {
        // 117 × 2496 + 78 × 2368 + 581 × 128 + 228 × 832 + 1512 × 192; dentry is not a socket cache.
        var memory = KernelSocketMemory.Parse(Sockstat, Slabinfo, 4096)!.Value;

        Assert.Equal((117 * 2496) + (78 * 2368) + (581 * 128) + (228 * 832) + (1512 * 192), memory.SlabBytes);
        Assert.Equal("sockstat+slabinfo", memory.Source);
    }

    [Fact]
    public void The_growth_per_socket_opened_is_the_kernels_cost_per_socket()
    {
        // 200 sockets more, 2 pages more of buffers and 200 × 3,400 B more of slab: (8,192 + 680,000) / 200.
        var before = new KernelSocketMemory(10, 4096, 1_000_000);
        var after = new KernelSocketMemory(210, 3 * 4096, 1_680_000);

        Assert.Equal((8_192 + 680_000) / 200.0, after.BytesPerSocketSince(before));
        Assert.Null(before.BytesPerSocketSince(after)); // sockets closed, not opened
        Assert.Null(new KernelSocketMemory(210, 3 * 4096, null).BytesPerSocketSince(before)); // slabinfo read once only
        Assert.Null(new KernelSocketMemory(210, 0, 0).BytesPerSocketSince(before)); // memory fell while sockets opened: others freed theirs, no figure
        Assert.Equal(0, new KernelSocketMemory(210, before.BufferBytes, before.SlabBytes).BytesPerSocketSince(before)); // idle sockets with empty buffers may cost no pages
    }

    [Theory]
    [InlineData("")]
    [InlineData("TCP: inuse ten mem 3\n")]
    [InlineData("UDP: inuse 0 mem 0\n")]
    public void Text_without_a_readable_tcp_line_is_no_reading(string sockstat)
    {
        Assert.Null(KernelSocketMemory.Parse(sockstat, null, 4096));
    }

    [Fact]
    public void This_machine_is_read_on_linux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), KernelSocketMemory.Read() is not null);
    }
}
