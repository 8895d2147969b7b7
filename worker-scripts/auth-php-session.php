#!/usr/bin/env php
<?php
// Auth program for ws-supervisor --auth: lets a WebSocket in as the user your PHP site
// logged in, by reading the same PHP session the site's pages use.
//
//   ws-supervisor --auth=worker-scripts/auth-php-session.php --sameorigin --dir=apps
//
// The contract (docs/security.md): run once per handshake with the request's CGI
// variables; print the user id and exit 0 to accept (the app then sees it as
// REMOTE_USER and WS_USER, and `ws-supervisor send --user=ID` reaches it); print a
// reason and exit non-zero to refuse (403, the reason in the body); exit 0 printing
// nothing means "cannot decide" (503), which is what a broken session store gets.
//
// What it does: takes the session id from the session cookie (PHPSESSID unless
// session.name says otherwise) in HTTP_COOKIE, opens that session read-only and prints
// $_SESSION['user_id']. Your login page must set $_SESSION['user_id'].
//
// Why read_and_close: PHP's default (files) session handler holds an exclusive lock
// on the session file from session_start() until the session is closed, and every
// other request of that user waits for it. A long-lived PHP process — a WebSocket app
// kept open for hours — that keeps its session open freezes that user's pages until
// the socket closes. read_and_close reads the data and releases the lock at once.
// Apps that need the session later must do the same: session_start(['read_and_close'
// => true]) each time, never hold it.
//
// It must see the same session store as your pages: the CLI's php.ini is not FPM's
// (on Debian /etc/php/*/cli/ vs /etc/php/*/fpm/), so check session.save_path,
// session.save_handler and session.name match (or add an ini file through
// PHP_INI_SCAN_DIR, which then needs --passenv=PATH,PHP_INI_SCAN_DIR), and run
// ws-supervisor as a user that may read the session files (www-data, mode 0600).
// It needs --sameorigin or --origin too: the browser sends the cookie on a WebSocket
// opened by any site, so without an origin check another site's page could connect
// as your logged-in visitor (cross-site WebSocket hijacking).

const USER_KEY = 'user_id';

function refuse(string $reason): never
{
    echo $reason, "\n";
    exit(1);
}

function cannot_decide(string $why): never
{
    fwrite(STDERR, "auth-php-session: $why\n");   // to ws-supervisor's log
    exit(0);                                       // no id on stdout: 503
}

$name = session_name();
$id = null;
foreach (explode(';', getenv('HTTP_COOKIE') ?: '') as $pair) {
    $parts = explode('=', trim($pair), 2);
    if (count($parts) === 2 && $parts[0] === $name) {
        $id = urldecode($parts[1]);
        break;
    }
}
if ($id === null || $id === '') {
    refuse('not logged in (no session cookie)');
}
// The characters PHP itself generates ids from (session.sid_bits_per_character 4–6).
if (!preg_match('/^[A-Za-z0-9,-]{1,256}$/', $id)) {
    refuse('not logged in (malformed session id)');
}

if (ini_get('session.save_handler') === 'files') {
    // Opening a session that does not exist would create an empty one in the store,
    // one per made-up cookie; look first. save_path may be "N;/path" or "N;MODE;/path".
    $parts = explode(';', session_save_path());
    $dir = end($parts) ?: sys_get_temp_dir();
    if (!is_dir($dir) || !is_readable($dir)) {
        cannot_decide("session.save_path $dir is not a readable directory");
    }
    if (!is_file("$dir/sess_$id")) {
        refuse('not logged in (no such session)');
    }
}

session_id($id);
$started = @session_start([
    'read_and_close' => true,   // read it and release the lock now (see above)
    'use_strict_mode' => true,  // never adopt an id the store does not know
    'use_cookies' => false,     // no Set-Cookie from a command-line run
    'cache_limiter' => '',
]);
if (!$started) {
    cannot_decide('session_start failed: ' . (error_get_last()['message'] ?? 'unknown error'));
}
if (session_id() !== $id) {
    refuse('not logged in (no such session)');   // strict mode swapped in a fresh id
}

$user = $_SESSION[USER_KEY] ?? null;
if (!is_int($user) && !(is_string($user) && $user !== '')) {
    refuse('not logged in');
}
$user = (string)$user;
if (preg_match('/[\x00-\x1f\x7f]/', $user)) {
    cannot_decide('$_SESSION[\'' . USER_KEY . '\'] holds control characters');
}
echo $user, "\n";
exit(0);
