// echo-load PORT CONNECTIONS MESSAGES [PAUSE_BEFORE_S [PAUSE_AFTER_S]]
//
// The 100-connection echo of the benchmark, in C, so the load generator costs as little as
// possible: CONNECTIONS WebSocket connections to 127.0.0.1:PORT, each sending MESSAGES
// masked 32-byte text messages one at a time and waiting for each echo, all driven by one
// epoll loop. Prints "open" on stderr once every handshake is done, then waits
// PAUSE_BEFORE_S, runs, prints the rate on stdout and waits PAUSE_AFTER_S before closing,
// so a sampler (cpu-split.py) can read the server's processes while all are still alive.
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int open_connection(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const char *request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd, request, strlen(request)) < 0) {
        perror("write");
        exit(1);
    }
    char head[4096];
    int length = 0; // byte by byte, so nothing after the 101's blank line is consumed
    while (length < 4 || memcmp(head + length - 4, "\r\n\r\n", 4) != 0) {
        if (length == sizeof head || read(fd, head + length, 1) != 1) {
            fprintf(stderr, "handshake failed\n");
            exit(1);
        }
        length++;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: echo-load PORT CONNECTIONS MESSAGES [PAUSE_BEFORE_S [PAUSE_AFTER_S]]\n");
        return 2;
    }
    int port = atoi(argv[1]), connections = atoi(argv[2]), messages = atoi(argv[3]);
    int *fds = calloc(connections, sizeof *fds), *left = calloc(connections, sizeof *left),
        *buffered = calloc(connections, sizeof *buffered);
    // FIN + text, MASK + length 32, a zero mask key (so the payload is as sent), 32 x 'x'.
    unsigned char frame[38] = {0x81, 0x80 | 32};
    memset(frame + 6, 'x', 32);
    const int echo_bytes = 2 + 32; // the server's frame: 2-byte header, unmasked

    for (int i = 0; i < connections; i++)
        fds[i] = open_connection(port);
    fprintf(stderr, "open\n");
    if (argc > 4)
        sleep(atoi(argv[4]));

    int poller = epoll_create1(0);
    for (int i = 0; i < connections; i++) {
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(poller, EPOLL_CTL_ADD, fds[i], &event);
        left[i] = messages;
    }
    double started = now();
    for (int i = 0; i < connections; i++)
        write(fds[i], frame, sizeof frame);
    int finished = 0;
    struct epoll_event events[256];
    unsigned char scratch[4096];
    while (finished < connections) {
        int ready = epoll_wait(poller, events, 256, 5000);
        if (ready <= 0) {
            fprintf(stderr, "no echo for 5 s\n");
            return 1;
        }
        for (int e = 0; e < ready; e++) {
            int i = events[e].data.u32;
            int n = read(fds[i], scratch, sizeof scratch);
            if (n <= 0) {
                fprintf(stderr, "connection %d closed\n", i);
                return 1;
            }
            for (buffered[i] += n; buffered[i] >= echo_bytes; buffered[i] -= echo_bytes) {
                if (--left[i] > 0)
                    write(fds[i], frame, sizeof frame);
                else
                    finished++;
            }
        }
    }
    double seconds = now() - started;
    printf("%d echoes in %.3f s: %.0f msg/s\n", connections * messages, seconds, connections * messages / seconds);
    fflush(stdout);
    if (argc > 5)
        sleep(atoi(argv[5]));
    return 0;
}
