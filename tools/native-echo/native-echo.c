// native-echo: the machine's loopback floor, measured the way `perf load --target echo` measures.
//
//   native-echo server [--listen 127.0.0.1:0]
//       One thread, epoll, non-blocking sockets, TCP_NODELAY: every byte read is written back.
//       Prints `echo listening tcp=HOST:PORT` once bound; on SIGTERM/SIGINT prints its CPU time.
//   native-echo client --connect HOST:PORT [--connections 20] [--rate 5000] [--size 256]
//                      [--duration 10] [--warmup 3]
//       One thread, open loop: message k of connection c has a fixed intended send time
//       (connections staggered by 1/rate, as perf does); the thread waits in epoll_pwait2 until
//       the next intended time (a timerfd armed for it where epoll_pwait2 is missing: Linux
//       < 5.11), then sends every message that is due. Each message is a 4-byte
//       little-endian length, then SIZE bytes whose first 16 carry the sequence number and the
//       intended time (CLOCK_MONOTONIC ns). Latency runs from the intended time to the echo's
//       arrival, so a stall is counted (no coordinated omission). Messages intended in the
//       warm-up are sent but not recorded. Prints one line:
//       `native-echo client: rate=R connections=C size=S sent=N delivered=N lost=N p50_us=..
//        p90_us=.. p99_us=.. p999_us=.. p9999_us=.. max_us=.. cpu_us_per_message=..`
//
// Build: gcc -O2 -o native-echo native-echo.c (tools/native-echo/build.sh does it).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define BUFFER_BYTES 65536
// Latency buckets of 1 us up to 1 s; anything slower lands in the last bucket (max is exact).
#define BUCKETS 1000000

static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number) { (void)signal_number; stop_requested = 1; }

static void die(const char *what) { perror(what); exit(2); }

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void parse_endpoint(const char *text, struct sockaddr_in *address)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host) { fprintf(stderr, "native-echo: '%s' is not HOST:PORT\n", text); exit(2); }
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &address->sin_addr) != 1) { fprintf(stderr, "native-echo: '%s' is not an IPv4 address\n", host); exit(2); }
}

static void set_nonblocking_nodelay(int fd)
{
    int one = 1;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
}

// ---- server ----------------------------------------------------------------------------------

struct pending { char *data; size_t length; };

static int serve(const char *listen_text)
{
    struct sockaddr_in address;
    parse_endpoint(listen_text, &address);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
    if (listen(listener, 4096) < 0) die("listen");
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length);
    fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
    printf("echo listening tcp=%s:%d\n", host, ntohs(address.sin_port));
    fflush(stdout);

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int epoll = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    static char buffer[BUFFER_BYTES];
    struct epoll_event events[MAX_EVENTS];
    // Bytes a peer did not take yet, per descriptor (rare on loopback at these rates).
    struct pending *pending = calloc(65536, sizeof *pending);
    while (!stop_requested)
    {
        int ready = epoll_wait(epoll, events, MAX_EVENTS, 200);
        for (int i = 0; i < ready; i++)
        {
            int fd = events[i].data.fd;
            if (fd == listener)
            {
                int client;
                while ((client = accept(listener, NULL, NULL)) >= 0)
                {
                    if (client >= 65536) { close(client); continue; }
                    set_nonblocking_nodelay(client);
                    struct epoll_event add = { .events = EPOLLIN, .data.fd = client };
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &add);
                }
                continue;
            }

            if (events[i].events & EPOLLOUT)
            {
                struct pending *p = &pending[fd];
                ssize_t sent = write(fd, p->data, p->length);
                if (sent > 0) { memmove(p->data, p->data + sent, p->length - (size_t)sent); p->length -= (size_t)sent; }
                if (p->length == 0)
                {
                    struct epoll_event mod = { .events = EPOLLIN, .data.fd = fd };
                    epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &mod);
                }
                continue;
            }

            ssize_t got = read(fd, buffer, sizeof buffer);
            if (got <= 0)
            {
                if (got < 0 && errno == EAGAIN) continue;
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
                free(pending[fd].data);
                pending[fd].data = NULL;
                pending[fd].length = 0;
                continue;
            }

            ssize_t sent = pending[fd].length > 0 ? 0 : write(fd, buffer, (size_t)got);
            if (sent < 0) sent = 0;
            if (sent < got)
            {
                struct pending *p = &pending[fd];
                p->data = realloc(p->data, p->length + (size_t)(got - sent));
                memcpy(p->data + p->length, buffer + sent, (size_t)(got - sent));
                p->length += (size_t)(got - sent);
                struct epoll_event mod = { .events = EPOLLIN | EPOLLOUT, .data.fd = fd };
                epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &mod);
            }
        }
    }

    fprintf(stderr, "native-echo server: cpu_s=%.3f\n", cpu_seconds());
    return 0;
}

// ---- client ----------------------------------------------------------------------------------

struct connection
{
    int fd;
    int64_t next_intended;
    int64_t index;
    char in[BUFFER_BYTES];
    size_t in_length;
};

static uint64_t histogram[BUCKETS];

static int64_t percentile_us(uint64_t count, double p)
{
    uint64_t rank = (uint64_t)(p / 100.0 * (double)count + 0.5);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int64_t i = 0; i < BUCKETS; i++)
    {
        seen += histogram[i];
        if (seen >= rank) return i;
    }

    return BUCKETS - 1;
}

static int client(const char *connect_text, int count, double rate, int size, double duration, double warmup)
{
    if (count < 1 || count > 10000 || !(rate > 0) || size < 16 || size > BUFFER_BYTES - 4 || !(duration > 0) || warmup < 0)
    {
        fprintf(stderr, "native-echo client: --connections 1-10000, --rate > 0, --size 16-%d, --duration > 0, --warmup >= 0\n", BUFFER_BYTES - 4);
        return 2;
    }

    struct sockaddr_in address;
    parse_endpoint(connect_text, &address);
    int epoll = epoll_create1(0);
    struct connection *connections = calloc((size_t)count, sizeof *connections);
    for (int c = 0; c < count; c++)
    {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
        set_nonblocking_nodelay(fd);
        connections[c].fd = fd;
        struct epoll_event add = { .events = EPOLLIN, .data.u32 = (uint32_t)c };
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &add);
    }

    int timer = timerfd_create(CLOCK_MONOTONIC, 0);
    struct epoll_event timer_event = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
    epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);

    const int64_t gap = (int64_t)(1e9 * count / rate); // per connection
    const int64_t start = now_ns() + 100000000LL;
    const int64_t measure_start = start + (int64_t)(warmup * 1e9);
    const int64_t end = measure_start + (int64_t)(duration * 1e9);
    for (int c = 0; c < count; c++)
    {
        connections[c].next_intended = start + (int64_t)(c * 1e9 / rate);
    }

    char *message = calloc(1, (size_t)size + 4);
    uint32_t length = (uint32_t)size;
    memcpy(message, &length, 4);
    uint64_t sent = 0, delivered = 0, recorded = 0;
    int64_t max_us = 0;
    double cpu_at_measure = -1;
    int64_t drain_deadline = 0;
    struct epoll_event events[MAX_EVENTS];
#ifdef SYS_epoll_pwait2
    int has_pwait2 = 1;
#else
    int has_pwait2 = 0;
#endif
    while (1)
    {
        int64_t now = now_ns();
        if (cpu_at_measure < 0 && now >= measure_start) cpu_at_measure = cpu_seconds();
        int64_t next_due = INT64_MAX;
        for (int c = 0; c < count; c++)
        {
            struct connection *k = &connections[c];
            while (k->next_intended <= now && k->next_intended < end)
            {
                int64_t sequence = k->index * count + c;
                memcpy(message + 4, &sequence, 8);
                memcpy(message + 12, &k->next_intended, 8);
                ssize_t written = write(k->fd, message, (size_t)size + 4);
                if (written != size + 4) die("write (the echo did not keep up: a partial write)");
                if (k->next_intended >= measure_start) sent++;
                k->index++;
                k->next_intended += gap;
            }

            if (k->next_intended < end && k->next_intended < next_due) next_due = k->next_intended;
        }

        if (next_due == INT64_MAX)
        {
            if (drain_deadline == 0) drain_deadline = now + 5000000000LL;
            if (delivered >= sent || now >= drain_deadline) break;
            next_due = now + 10000000LL;
        }

        int ready = -1;
        if (has_pwait2)
        {
            // One system call per wait, with a timeout finer than epoll_wait's milliseconds.
            int64_t wait = next_due - now_ns();
            struct timespec timeout = { .tv_sec = wait > 0 ? wait / 1000000000LL : 0, .tv_nsec = wait > 0 ? wait % 1000000000LL : 0 };
            ready = (int)syscall(SYS_epoll_pwait2, epoll, events, MAX_EVENTS, &timeout, NULL, 0);
            if (ready < 0 && errno == ENOSYS) has_pwait2 = 0;
        }

        if (!has_pwait2)
        {
            struct itimerspec due = { .it_value = { .tv_sec = next_due / 1000000000LL, .tv_nsec = next_due % 1000000000LL } };
            timerfd_settime(timer, TFD_TIMER_ABSTIME, &due, NULL);
            ready = epoll_wait(epoll, events, MAX_EVENTS, -1);
        }
        for (int i = 0; i < ready; i++)
        {
            if (events[i].data.u32 == UINT32_MAX)
            {
                uint64_t expirations;
                if (read(timer, &expirations, sizeof expirations) < 0 && errno != EAGAIN) die("timerfd");
                continue;
            }

            struct connection *k = &connections[events[i].data.u32];
            ssize_t got = read(k->fd, k->in + k->in_length, sizeof k->in - k->in_length);
            if (got <= 0) { if (got < 0 && errno == EAGAIN) continue; die("the echo closed a connection"); }
            int64_t arrived = now_ns();
            k->in_length += (size_t)got;
            size_t offset = 0;
            while (k->in_length - offset >= 4)
            {
                uint32_t frame;
                memcpy(&frame, k->in + offset, 4);
                if (frame != (uint32_t)size) { fprintf(stderr, "native-echo client: corrupt stream\n"); return 1; }
                if (k->in_length - offset < 4 + frame) break;
                int64_t intended;
                memcpy(&intended, k->in + offset + 12, 8);
                if (intended >= measure_start)
                {
                    int64_t us = (arrived - intended) / 1000;
                    if (us > max_us) max_us = us;
                    histogram[us < BUCKETS ? us : BUCKETS - 1]++;
                    recorded++;
                    delivered++;
                }

                offset += 4 + frame;
            }

            memmove(k->in, k->in + offset, k->in_length - offset);
            k->in_length -= offset;
        }
    }

    double cpu = cpu_seconds() - (cpu_at_measure < 0 ? 0 : cpu_at_measure);
    printf("native-echo client: rate=%.0f connections=%d size=%d sent=%llu delivered=%llu lost=%llu p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld p9999_us=%lld max_us=%lld cpu_us_per_message=%.2f\n",
        rate, count, size, (unsigned long long)sent, (unsigned long long)delivered, (unsigned long long)(sent - delivered),
        (long long)percentile_us(recorded, 50), (long long)percentile_us(recorded, 90), (long long)percentile_us(recorded, 99),
        (long long)percentile_us(recorded, 99.9), (long long)percentile_us(recorded, 99.99), (long long)max_us,
        delivered == 0 ? 0.0 : cpu * 1e6 / (double)delivered);
    for (int c = 0; c < count; c++) close(connections[c].fd);
    return sent == delivered ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0))
    {
        fprintf(stderr, "usage: native-echo server [--listen HOST:PORT] | client --connect HOST:PORT [--connections N] [--rate R] [--size B] [--duration S] [--warmup S]\n");
        return 2;
    }

    const char *listen_text = "127.0.0.1:0", *connect_text = NULL;
    int connections = 20, size = 256;
    double rate = 5000, duration = 10, warmup = 3;
    for (int i = 2; i + 1 < argc; i += 2)
    {
        if (strcmp(argv[i], "--listen") == 0) listen_text = argv[i + 1];
        else if (strcmp(argv[i], "--connect") == 0) connect_text = argv[i + 1];
        else if (strcmp(argv[i], "--connections") == 0) connections = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--rate") == 0) rate = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0) size = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--duration") == 0) duration = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--warmup") == 0) warmup = atof(argv[i + 1]);
        else { fprintf(stderr, "native-echo: unknown option %s\n", argv[i]); return 2; }
    }

    if (strcmp(argv[1], "server") == 0) return serve(listen_text);
    if (connect_text == NULL) { fprintf(stderr, "native-echo client: --connect HOST:PORT is required\n"); return 2; }
    return client(connect_text, connections, rate, size, duration, warmup);
}
