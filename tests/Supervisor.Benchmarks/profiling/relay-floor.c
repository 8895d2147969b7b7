// relay-floor PORT
//
// The least a process-per-connection relay can cost: ws-supervisor's worker reduced to C.
// Listens on 127.0.0.1:PORT; for each connection a child process answers the upgrade
// (without checking it: this is for echo-load, never for a real client), starts the bash
// line echo on pipes, and relays with two blocking threads at SCHED_BATCH, as the worker's
// connection threads are: client frames (masked, at most 125 bytes, text) become lines on
// the app's stdin, stdout lines become text frames. No fragmentation, no control frames,
// no limits: the protocol work is nearly nothing, so what it costs per echo is the
// kernel's (recv, the pipes, send, the sleeps and wake-ups) and the floor under ours.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int client, app_stdin, app_stdout;

static void run_as_batch(void)
{
    struct sched_param none = {0};
    sched_setscheduler(0, SCHED_BATCH, &none);
}

static void *client_to_app(void *unused)
{
    (void)unused;
    run_as_batch();
    static unsigned char in[65536], lines[65536];
    int have = 0;
    for (;;) {
        int n = recv(client, in + have, sizeof in - have, 0);
        if (n <= 0)
            exit(0);
        have += n;
        int at = 0, out = 0;
        while (have - at >= 6) {
            int length = in[at + 1] & 0x7F;
            if (length > 125)
                exit(2);
            if (have - at < 6 + length)
                break;
            const unsigned char *key = in + at + 2;
            for (int i = 0; i < length; i++)
                lines[out++] = in[at + 6 + i] ^ key[i & 3];
            lines[out++] = '\n';
            at += 6 + length;
        }
        memmove(in, in + at, have - at);
        have -= at;
        if (out > 0 && write(app_stdin, lines, out) != out)
            exit(0);
    }
    return NULL;
}

static void *app_to_client(void *unused)
{
    (void)unused;
    run_as_batch();
    static char out[65536];
    static unsigned char frames[65536 * 2]; // a 2-byte header per line at most doubles it
    int have = 0;
    for (;;) {
        int n = read(app_stdout, out + have, sizeof out - have);
        if (n <= 0)
            exit(0);
        have += n;
        int start = 0, length = 0;
        for (int i = 0; i < have; i++) {
            if (out[i] != '\n')
                continue;
            int line = i - start;
            if (line > 125)
                exit(2);
            frames[length++] = 0x81;
            frames[length++] = line;
            memcpy(frames + length, out + start, line);
            length += line;
            start = i + 1;
        }
        memmove(out, out + start, have - start);
        have -= start;
        if (length > 0)
            send(client, frames, length, MSG_NOSIGNAL);
    }
    return NULL;
}

static void serve(int connection)
{
    client = connection;
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char head[4096];
    int length = 0;
    while (length < 4 || memcmp(head + length - 4, "\r\n\r\n", 4) != 0) {
        if (length == sizeof head || read(client, head + length, 1) != 1)
            exit(0);
        length++;
    }
    const char *accepted = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    if (write(client, accepted, strlen(accepted)) < 0)
        exit(0);

    int to_app[2], from_app[2];
    if (pipe(to_app) != 0 || pipe(from_app) != 0)
        exit(1);
    if (fork() == 0) {
        dup2(to_app[0], 0);
        dup2(from_app[1], 1);
        close(to_app[0]), close(to_app[1]), close(from_app[0]), close(from_app[1]), close(client);
        execl("/bin/bash", "bash", "-c", "while read -r l; do echo \"$l\"; done", (char *)NULL);
        _exit(127);
    }
    close(to_app[0]);
    close(from_app[1]);
    app_stdin = to_app[1];
    app_stdout = from_app[0];
    pthread_t reader;
    pthread_create(&reader, NULL, app_to_client, NULL);
    client_to_app(NULL);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: relay-floor PORT\n");
        return 2;
    }
    signal(SIGCHLD, SIG_IGN); // the connection processes are reaped by the kernel
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 512) != 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int connection = accept(listener, NULL, NULL);
        if (connection < 0)
            continue;
        if (fork() == 0) {
            close(listener);
            serve(connection);
        }
        close(connection);
    }
}
