/*
 * The throughput benchmark's app: every line read from stdin is written back to stdout
 * as soon as it is complete. read(2)/write(2) on a 256 KiB buffer, no stdio, so the app
 * is never what limits a server's throughput: one read can carry many lines, and all
 * the complete lines in it leave in one write. A line longer than the buffer grows it.
 * Built by the benchmark at start with `cc -O2`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(STDOUT_FILENO, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1; /* EPIPE: the server has gone; nothing left to do */
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

int main(void)
{
    size_t capacity = 256 * 1024;
    size_t used = 0; /* bytes of an incomplete line kept at the buffer's start */
    char *buffer = malloc(capacity);
    if (buffer == NULL)
        return 1;

    for (;;) {
        if (used == capacity) {
            char *grown = realloc(buffer, capacity * 2);
            if (grown == NULL)
                return 1;
            buffer = grown;
            capacity *= 2;
        }
        ssize_t n = read(STDIN_FILENO, buffer + used, capacity - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (n == 0)
            break; /* stdin EOF: the client has gone */

        size_t end = used + (size_t)n;
        /* Scan only the new bytes: the kept prefix has no newline in it. */
        char *last = NULL;
        for (char *p = buffer + end; p > buffer + used;) {
            --p;
            if (*p == '\n') {
                last = p;
                break;
            }
        }
        if (last == NULL) {
            used = end;
            continue;
        }
        size_t complete = (size_t)(last - buffer) + 1;
        if (write_all(buffer, complete) < 0)
            return 0;
        used = end - complete;
        memmove(buffer, buffer + complete, used);
    }
    /* A last line without a newline still goes back, as a line-mode server would send it. */
    if (used > 0)
        write_all(buffer, used);
    return 0;
}
