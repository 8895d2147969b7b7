namespace Supervisor.Options;

public static class HelpText
{
    public const string Text = """
        ws-supervisor: run any program as a WebSocket server, one process per connection.
        A drop-in for websocketd: each text message is a line on the program's stdin,
        each line it prints is a message back.

        Usage:
          ws-supervisor [options] COMMAND [ARGS...]   serve COMMAND at every path
          ws-supervisor [options] --dir=DIR           serve each executable DIR/NAME at /NAME
          ws-supervisor                               the demo at http://127.0.0.1:8080/: the apps in
                                                      worker-scripts/, its page from worker-scripts/www/
          ws-supervisor broadcast TEXT                send TEXT to every connected client
          ws-supervisor send --user=ID|--conn=ID|--path=/APP TEXT
                                                      send TEXT to the addressed clients only
          ws-supervisor status [--json]               connections, unique users, per app and worker
          ws-supervisor config apache|nginx|systemd [options]
                                                      print a ready proxy config or systemd unit
                                                      (ws-supervisor config --help)

        Listening:
          --port=PORT               TCP port (default 8080)
          --address=ADDR[,ADDR]     addresses to bind (default 127.0.0.1; websocketd's default
                                    is all interfaces: use --address=0.0.0.0 for that)
          --trusted-proxy=CIDR[,CIDR]  proxies in front (e.g. 127.0.0.1, 10.0.0.0/8, ::1) whose
                                    X-Forwarded-For, -Proto and -Host are believed: the client
                                    (REMOTE_ADDR, the logs) is the right-most X-Forwarded-For
                                    address outside these, X-Forwarded-Proto: https sets
                                    HTTPS=on, and a valid X-Forwarded-Host is the request's host
                                    (HTTP_HOST, SERVER_NAME/PORT, --sameorigin); from any other
                                    peer these headers are ignored
                                    (repeatable)

        Apps:
          --dir=DIR                 serve every executable in DIR at /NAME (PATH_INFO after it);
                                    only regular files directly in DIR: dot-files, folders,
                                    FIFOs, devices and symlinks leading out are 404
          --staticdir=DIR           plain GET and HEAD requests (no Upgrade) get files from DIR:
                                    index.html for a folder, no listings, 404 otherwise, nothing
                                    outside DIR; one request per connection. Every server also
                                    serves its browser client at /ws-supervisor.js
          --passenv=VAR[,VAR]       variables passed on to apps, by exact name (default
                                    PATH,LD_LIBRARY_PATH; --passenv= passes none);
                                    apps also get the CGI variables, WS_CONNECTION_ID, WS_FIFO,
                                    WS_CONTROL_SOCKET, WS_SUPERVISOR (this binary) and, with
                                    --auth, WS_USER
          --header="Name: value"    extra header on every response (repeatable); not one the
                                    server writes itself: Upgrade, Connection, Sec-WebSocket-*,
                                    Content-Length, Transfer-Encoding, Content-Type, Allow,
                                    Retry-After, Location, Last-Modified, ETag, Cache-Control,
                                    X-Content-Type-Options
          --closems=MS              extra grace before stop signals after the client leaves
                                    (or the app closes its stdout): stdin EOF, then SIGINT after
                                    100+MS ms, SIGTERM after 250 ms more, SIGKILL after 500 ms
                                    more (default 0, as websocketd); what is left of the app's
                                    process group then gets the same signals

        Modes (docs/modes.md):
          --mode=MODE               how apps exchange messages (default line):
                                      line    a text message is a line on stdin, a stdout line a message
                                      binary  raw bytes both ways, each stdout read one binary message
                                      exact   every message as "T LEN" or "B LEN", LEN bytes, a newline,
                                              both ways: any bytes cross, types kept
                                      cgi     the app runs once per message: the message on stdin, its
                                              whole stdout the reply (text if UTF-8, else binary)
                                      socket  the app gets the upgraded socket at fd 3 and the bus at fd 4
                                              and speaks WebSocket itself: one process per connection
                                    under --dir, a file named MODE-NAME (exact-echo.sh) runs in MODE
          --binary                  the same as --mode=binary (websocketd's flag)
          --cgi-concurrency=N       cgi mode: runs at once per connection (default 1); replies
                                    always go out in the order the messages came
          --cgi-timeout=SECONDS     cgi mode: a run still going after this is killed and the
                                    connection closed with 1011 (default 30)
          --no-compression          decline permessage-deflate (RFC 7692); by default it is used
                                    when the client offers it, without context takeover either
                                    way, and a message to the client of 1 KiB or more goes
                                    compressed when that makes it shorter

        Message bus (every connection can be pushed to):
          --run-dir=DIR             where the FIFO and control socket live (default
                                    /run/ws-supervisor as root, else $XDG_RUNTIME_DIR/ws-supervisor
                                    or /tmp/ws-supervisor-UID), made when missing; the only
                                    folder the server makes. RUN-DIR/control.sock must fit
                                    the 107 bytes of a unix socket path. The sub-commands
                                    take it too
          --fifo=PATH|off           the global FIFO (default RUN-DIR/global.fifo): every line
                                    written to it goes to every client; its folder must exist
          --control=PATH|off        the control socket (default RUN-DIR/control.sock); its
                                    folder must exist, its path fit 107 bytes
          --bus-mode=MODE           octal mode of both (default 0660: owner and group may push;
                                    the last digit must be 0: never open to every user)
          --bus-group=GROUP         group of both, e.g. www-data so PHP and cron can push

        Origin and auth (see docs/security.md):
          --origin=HOST[:PORT][,...]  accept upgrades only from pages of these origins (an entry
                                    without a port matches any port; scheme://HOST[:PORT] also
                                    pins the scheme); others, and requests without an Origin
                                    header, get 403. Apps that trust cookies need this or
                                    --sameorigin: any web page can open a WebSocket to you
                                    with its visitors' cookies (cross-site WebSocket hijacking).
                                    An empty list (--origin="$UNSET") is an error, never "any"
          --sameorigin              accept only an Origin whose host and port are the Host
                                    header's, or an absolute-form target's (else 403)
          --auth=PROGRAM            run at each handshake with the request's CGI variables (it must
                                    be executable by the user the apps run as); exit 0
                                    printing a user id accepts (REMOTE_USER, WS_USER, targetable
                                    with send --user); other exits → 403 with its first line;
                                    timeout or crash → 503
          --auth-timeout=SECONDS    how long it may take, 1 to 300 (default 5); then its process
                                    group is killed

        Privileges (when started as root):
          --user=NAME               once the ports are bound and the FIFO and control socket made
                                    (and given to NAME), become NAME for good: initgroups, setgid,
                                    setuid, checked on every thread; workers, apps and the
                                    --auth program run as NAME
          --group=GROUP             the group to run as (default NAME's primary group)

        Limits on each app (set on the app alone, never on its worker; soft = hard):
          --limit-as=BYTES          address space (K/M/G suffixes): allocations past it fail
          --limit-cpu=SECONDS       CPU time: SIGXCPU at SECONDS, SIGKILL a second later
          --limit-nofile=N          open files (RLIMIT_NOFILE)
          --limit-nproc=N           tasks of the app's user (Linux's RLIMIT_NPROC): the app's fork
                                    fails once that user runs N threads in all, the server's
                                    own included under --user (acceptor 12, idle worker 4,
                                    connection 10, cgi 13); give N >= 12 + 4 x spare workers
                                    + 10 (cgi: 13) x connections + what one app forks; not
                                    enforced for root

        Limits (0 = no limit; each limit below marked "retry later" is answered as
        --limit-response says):
          --maxforks=N              at most N connections at once (default 0); retry later (503)
          --max-per-ip=N            at most N connections per client address (default 0;
                                    behind --trusted-proxy, the forwarded one); retry later (429)
          --max-per-user=N          at most N connections per --auth user id (default 0);
                                    retry later (429)
          --max-spawn-rate=N        at most N new connections a second, bursts of N allowed
                                    (default 0); retry later (429)
          --limit-response=MODE     close (default): 101, then at once a close frame 1013 "Try
                                    Again Later" with the reason, which a browser's script can
                                    read (it cannot read a refused handshake's status);
                                    http: the status in parentheses above, with Retry-After: 1.
                                    Running out of file descriptors or failing to start a
                                    worker is answered the same way (503 in http mode)
          --idle-timeout=SECONDS    close a connection with no message either way for this long
                                    with 1000 "idle timeout" (default 0 = never; pings do not
                                    count as messages)
          --max-message=BYTES       largest message either way (default 1M; K/M suffixes);
                                    a larger client message closes with 1009 (compressed ones
                                    count inflated, and are stopped there); a longer FIFO line
                                    is dropped, a longer control-socket push refused
          --ping-interval=SECONDS   keep-alive frame to the client this often, so proxies do
                                    not cut quiet connections (default 30; 0 = off)
          --max-head=BYTES          largest HTTP request head, 1K to 1M (default 8K) → 431 past
                                    it, and past 128K for any one header's CGI variable
          --handshake-timeout=SECONDS  time allowed for the request head (default 10) → 408
          --shutdown-timeout=SECONDS   on SIGTERM/SIGINT/SIGHUP, how long workers get to close with
                                    1001 before they are killed (default 5)

        Worker processes (one per connection, started ahead of need):
          --spare-workers=N         idle workers kept ready, so no connection waits for a
                                    process to start (default 8; workers whose connection
                                    ended are kept idle up to 8×N, and those beyond N go
                                    after a quiet minute; 0 = start one per connection and
                                    never reuse)
          --worker-reuse=N          connections a worker serves one after another before it
                                    is replaced (default 1000; 1 = a fresh process each time).
                                    Never two at once: each connection still has a process
                                    of its own, and a fresh app process always

        Logging (to stderr):
          --loglevel=LEVEL          debug, trace, access, info, error or fatal (default access:
                                    one line per connection opened and ended)
          --log-format=FORMAT       text (default) or json

          --help                    this text
          --version                 print the version

        Every failure prints one line and exits non-zero (2 for a usage mistake: an unknown
        option, a malformed or empty value, a value option followed by another --option).
        Options come before COMMAND; sub-commands (broadcast, send, status, config) first.
        """;
}
