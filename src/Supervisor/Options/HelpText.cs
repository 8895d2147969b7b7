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
          ws-supervisor                               serve the demo (worker-scripts/) on port 8080
          ws-supervisor broadcast TEXT                send TEXT to every connected client
          ws-supervisor send --user=ID|--conn=ID|--path=/APP TEXT
                                                      send TEXT to the addressed clients only
          ws-supervisor status [--json]               connections, unique users, per app and worker

        Listening:
          --port=PORT               TCP port (default 8080)
          --address=ADDR[,ADDR]     addresses to bind (default 127.0.0.1; websocketd's default
                                    is all interfaces: use --address=0.0.0.0 for that)

        Apps:
          --dir=DIR                 serve every executable in DIR at /NAME (PATH_INFO after it)
          --passenv=VAR[,VAR]       variables passed on to apps (default PATH,LD_LIBRARY_PATH);
                                    apps also get the CGI variables, WS_CONNECTION_ID, WS_FIFO,
                                    WS_CONTROL_SOCKET, WS_SUPERVISOR (this binary) and, with
                                    --auth, WS_USER
          --header="Name: value"    extra header on every response (repeatable)
          --closems=MS              extra grace before stop signals after the client leaves:
                                    stdin EOF, then SIGINT after 100+MS ms, SIGTERM after 250 ms
                                    more, SIGKILL after 500 ms more (default 0, as websocketd)

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
                                    when the client offers it, without context takeover either way

        Message bus (every connection can be pushed to):
          --run-dir=DIR             where the FIFO and control socket live (default
                                    /run/ws-supervisor as root, else $XDG_RUNTIME_DIR/ws-supervisor
                                    or /tmp/ws-supervisor-UID); the sub-commands take it too
          --fifo=PATH|off           the global FIFO (default RUN-DIR/global.fifo): every line
                                    written to it goes to every client
          --control=PATH|off        the control socket (default RUN-DIR/control.sock)
          --bus-mode=MODE           octal mode of both (default 0660: owner and group may push)
          --bus-group=GROUP         group of both, e.g. www-data so PHP and cron can push

        Auth:
          --auth=PROGRAM            run at each handshake with the request's CGI variables; exit 0
                                    printing a user id accepts (REMOTE_USER, WS_USER, targetable
                                    with send --user); other exits → 403 with its first line;
                                    timeout or crash → 503
          --auth-timeout=SECONDS    how long it may take (default 5)

        Limits:
          --maxforks=N              at most N connections at once (0 = unlimited, the default);
                                    past it, new upgrades get 503 with Retry-After: 1
          --max-message=BYTES       largest message either way (default 1M; K/M suffixes);
                                    a larger client message closes with 1009 (compressed ones
                                    count inflated, and are stopped there)
          --ping-interval=SECONDS   keep-alive frame to the client this often, so proxies do
                                    not cut quiet connections (default 30; 0 = off)
          --max-head=BYTES          largest HTTP request head (default 8K) → 431 past it
          --handshake-timeout=SECONDS  time allowed for the request head (default 10) → 408
          --shutdown-timeout=SECONDS   on SIGTERM/SIGINT, how long workers get to close with
                                    1001 before they are killed (default 5)

        Logging (to stderr):
          --loglevel=LEVEL          debug, trace, access, info, error or fatal (default access:
                                    one line per connection opened and ended)
          --log-format=FORMAT       text (default) or json

          --help                    this text
          --version                 print the version

        Every failure prints one line and exits non-zero (2 for a usage mistake).
        """;
}
