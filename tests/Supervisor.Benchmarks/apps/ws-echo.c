/*
 * The socket-mode memory benchmark's app: a WebSocket echo that owns its connection
 * (ws-supervisor --mode=socket hands it the upgraded socket at fd 3, the 101 already
 * sent). Each frame from the client is unmasked and sent back with the same opcode and
 * FIN bit (so fragmented messages come back fragmented the same way); a ping gets a pong;
 * a close gets its close back, and the app exits. The counterpart of apps/echo.c under
 * websocketd, for issue 8's "socket mode: total PSS per connection at most websocketd's
 * with the same C app". Built by the benchmark at start with `cc -O2`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

enum { SOCKET_FD = 3, MAX_PAYLOAD = 1 << 20 };

static int read_all(unsigned char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = read(SOCKET_FD, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1; /* the client has gone */
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

static int write_all(const unsigned char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(SOCKET_FD, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* Sends one unmasked frame (RFC 6455 §5.2: servers never mask). */
static int send_frame(unsigned char first, const unsigned char *payload, uint64_t length)
{
    unsigned char header[10];
    size_t size = 2;
    header[0] = first;
    if (length < 126) {
        header[1] = (unsigned char)length;
    } else if (length <= 0xFFFF) {
        header[1] = 126;
        header[2] = (unsigned char)(length >> 8);
        header[3] = (unsigned char)length;
        size = 4;
    } else {
        header[1] = 127;
        for (int i = 0; i < 8; i++)
            header[2 + i] = (unsigned char)(length >> (56 - 8 * i));
        size = 10;
    }
    return write_all(header, size) == 0 && write_all(payload, (size_t)length) == 0 ? 0 : -1;
}

int main(void)
{
    /* ws-supervisor hands over a blocking socket; builds before that handed it over
       non-blocking, and this app blocks, so it makes sure. */
    int flags = fcntl(SOCKET_FD, F_GETFL);
    if (flags < 0 || fcntl(SOCKET_FD, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return 1;
    unsigned char *payload = malloc(MAX_PAYLOAD);
    if (payload == NULL)
        return 1;
    for (;;) {
        unsigned char header[2], extended[8], mask[4];
        if (read_all(header, 2) != 0)
            return 0;
        unsigned char opcode = header[0] & 0x0F;
        uint64_t length = header[1] & 0x7F;
        if (length == 126 || length == 127) {
            size_t bytes = length == 126 ? 2 : 8;
            if (read_all(extended, bytes) != 0)
                return 0;
            length = 0;
            for (size_t i = 0; i < bytes; i++)
                length = (length << 8) | extended[i];
        }
        if (!(header[1] & 0x80) || length > MAX_PAYLOAD)
            return 1; /* unmasked client frame, or bigger than this app takes: just close */
        if (read_all(mask, 4) != 0 || read_all(payload, (size_t)length) != 0)
            return 0;
        for (uint64_t i = 0; i < length; i++)
            payload[i] ^= mask[i & 3];
        if (opcode == 0x9)
            opcode = 0xA; /* ping → pong */
        else if (opcode == 0xA)
            continue;     /* unsolicited pong: nothing to answer */
        if (send_frame((unsigned char)((header[0] & 0x80) | opcode), payload, length) != 0 || opcode == 0x8)
            return 0;
    }
}
