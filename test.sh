#!/bin/bash
# The test command: installs ws-supervisor into a throwaway prefix with ./install.sh
# (so the native binary and install.sh are tested too), then runs every test project
# against that binary. Extra arguments go to 'dotnet test' (e.g. --filter Broadcast).
# Ends with one line "N passed, N failed, N skipped"; exits with dotnet test's status.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$REPO_DIR"

prefix="$REPO_DIR/artifacts/test-prefix"
log_dir="$REPO_DIR/artifacts/test-logs"
rm -rf "$log_dir"
mkdir -p "$log_dir"
export DOTNET_NOLOGO=1

./install.sh --prefix "$prefix"

# samples/SocketEcho, the socket-mode app the integration tests run: published natively
# like the server, since socket mode costs a process per connection, which must start in
# milliseconds and stay near a megabyte.
echo "Building samples/SocketEcho (NativeAOT)..."
if ! dotnet publish samples/SocketEcho/SocketEcho.csproj -f net9.0 -r linux-x64 -c Release --nologo \
    -o "$prefix/samples/socket-echo" --artifacts-path "$REPO_DIR/artifacts/sample-build" \
    >"$log_dir/socket-echo-publish.log" 2>&1; then
    tail -n 40 "$log_dir/socket-echo-publish.log"
    echo "test.sh: building samples/SocketEcho failed; log: artifacts/test-logs/socket-echo-publish.log" >&2
    exit 1
fi

# A hung test would otherwise use up CI's whole time budget without saying which one:
# blame kills the test host after this long on one test and names the test.
hang_timeout=${WS_TEST_HANG_TIMEOUT:-5m}

# dotnet's stdout is a pipe here, so it prints the classic console summaries
# ("Passed!  - Failed: 0, Passed: N, Skipped: 0, Total: N ...", one per test assembly),
# which are summed below.
out="$log_dir/dotnet-test.log"
rc=0
WS_SUPERVISOR_BIN="$prefix/bin/ws-supervisor" \
    dotnet test Supervisor.sln \
    --results-directory "$log_dir" \
    --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none \
    "$@" 2>&1 | tee "$out" || rc=$?

read -r passed failed skipped assemblies < <(awk '
    /^[[:alpha:]]+! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
        line = $0
        gsub(/[^0-9,]/, "", line)        # "F,P,S,T,..." from "Failed: F, Passed: P, ..."
        split(line, n, ",")
        f += n[1]; p += n[2]; s += n[3]; a++
    }
    END { printf "%d %d %d %d\n", p, f, s, a }' "$out")

# The Autobahn-style conformance table (docs/conformance.md), written by the
# integration tests' ConformanceTests as they run.
if [[ -f $log_dir/conformance-summary.txt ]]; then
    echo
    echo "Conformance (tests/Supervisor.Conformance, Autobahn's case groups):"
    cat "$log_dir/conformance-summary.txt"
fi

echo
build_errors=$(grep -E ': error [A-Z]+[0-9]+:' "$out" | sort -u | wc -l || true)
if ((build_errors > 0)); then
    echo "the build failed with $build_errors error(s) (see above); those projects' tests did not run"
elif ((rc != 0 && failed == 0)); then
    echo "dotnet test exited $rc with no failing test counted: an aborted test run? (see above)"
fi
printf '%d test assemblies; log: %s\n' "$assemblies" "${out#"$REPO_DIR"/}"
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
exit "$rc"
