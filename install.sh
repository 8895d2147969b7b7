#!/bin/bash
# Builds ws-supervisor as one native executable (NativeAOT) and installs it with the
# demo worker scripts. Run ./install.sh --help for what goes where and what it needs.
set -euo pipefail

readonly PROG=install.sh
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly REPO_DIR
readonly PROJECT="src/Supervisor/Supervisor.csproj"
# The .NET 10 NativeAOT runtime pack is not served by our package registry, so the
# native binary comes from the project's net9.0 target (built by the .NET 10 SDK).
readonly PUBLISH_TFM="net9.0"
readonly MIN_SDK_MAJOR=10
readonly BIN_NAME="ws-supervisor"

usage() {
    cat <<EOF
Usage: ./$PROG [--prefix DIR] [--verbose] [--pie] [--binary FILE] [--systemd [--unit-dir DIR]]
       ./$PROG --uninstall [--prefix DIR] [--unit-dir DIR]

Builds ws-supervisor from this checkout as one native executable (.NET NativeAOT; no
.NET runtime is needed where it runs) and installs:

  PREFIX/bin/ws-supervisor                        the server and its sub-commands
  PREFIX/share/ws-supervisor/worker-scripts/      the example apps (echo.sh, chat.sh,
                                                  clock.sh, echo.php, ...) and the demo page
                                                  (www/); 'ws-supervisor' with no arguments
                                                  serves them on http://127.0.0.1:8080/ when
                                                  there is no ./worker-scripts here

Both are replaced if already there (a running server keeps its old binary). Only the
executable is installed, not the debug symbols. Outside PREFIX, the build writes to a
temporary directory, removed afterwards (kept, with its log, if the build fails), and
to the NuGet package cache (~/.nuget/packages).

With --systemd it also installs a systemd unit, the one 'ws-supervisor config systemd'
prints for these paths (serving the installed worker-scripts as www-data, or nobody,
on 127.0.0.1:8080 with the FIFO and control socket in /run/ws-supervisor):

  UNIT-DIR/ws-supervisor.service                  Type=notify; edit it with a drop-in
                                                  (systemctl edit ws-supervisor): a later
                                                  --systemd install rewrites this file

and, where systemd is running (/run/systemd/system exists) and UNIT-DIR is the default,
runs 'systemctl daemon-reload' and 'systemctl enable --now ws-supervisor'. Anywhere else
the unit is written and left for you to enable; it says which.

Options:
  --prefix DIR   Install under DIR (created if missing). Default: /usr/local when run
                 as root, \$HOME/.local otherwise.
  --verbose      Show the build output as it happens (by default it goes to a log
                 file, shown only if the build fails).
  --pie          Build a position-independent executable (ASLR for the main image
                 too), at ~650 kB more memory per worker process and ~5 ms more CPU
                 per process start; the default build is not PIE (README, "Memory").
  --binary FILE  Install this ws-supervisor executable instead of building one (a
                 build from another machine of the same kind, or a package's).
  --systemd      Also install the systemd unit (see above).
  --unit-dir DIR Where the unit goes. Default: /etc/systemd/system.
  --uninstall    Remove what this script installs under PREFIX (the binary,
                 share/ws-supervisor/) and the unit it wrote (stopped and disabled
                 first), and nothing else: never /run/ws-supervisor, where the FIFO and
                 control socket live, nor a drop-in folder of yours. Says what it removed.
  -h, --help     Show this help and exit.

Needs (checked before building; a missing piece is named with its Debian package):
  - the .NET SDK $MIN_SDK_MAJOR or newer ('dotnet'; package dotnet-sdk-$MIN_SDK_MAJOR.0 from
    packages.microsoft.com) and a reachable NuGet feed for the first build;
  - a C toolchain for the native link: 'clang' (package clang) or 'gcc' (package gcc),
    the C library's development files (libc6-dev) and 'ld.bfd' and 'objcopy' (binutils).
    On Debian 12, 'apt-get install clang' brings all of these.
zlib is not needed: the NativeAOT toolchain links its own copy.

Exit status: 0 installed (or uninstalled), 1 a check or the build failed, 2 bad usage.
EOF
}

# One line on stderr, then exit. Every failure in this script goes through here.
die() {
    printf '%s: %s\n' "$PROG" "$1" >&2
    exit "${2:-1}"
}

usage_error() {
    die "$1 (see ./$PROG --help)" 2
}

# --- options -------------------------------------------------------------------------
# The action is chosen here and dispatched in main; later actions (--uninstall, a
# --systemd unit) add a case below and a do_<action> function.
action=install
prefix=""
prefix_given=false
verbose=false
pie=false
binary=""
systemd=false
unit_dir=/etc/systemd/system
readonly DEFAULT_UNIT_DIR=/etc/systemd/system

parse_args() {
    while (($# > 0)); do
        case "$1" in
            --prefix)
                (($# >= 2)) || usage_error "--prefix needs a directory"
                prefix=$2
                prefix_given=true
                shift 2
                ;;
            --prefix=*)
                prefix=${1#--prefix=}
                prefix_given=true
                shift
                ;;
            --verbose)
                verbose=true
                shift
                ;;
            --pie)
                pie=true
                shift
                ;;
            --binary | --unit-dir)
                (($# >= 2)) && [[ -n $2 ]] || usage_error "$1 needs a value"
                if [[ $1 == --binary ]]; then binary=$2; else unit_dir=$2; fi
                shift 2
                ;;
            --binary=* | --unit-dir=*)
                [[ -n ${1#*=} ]] || usage_error "${1%%=*} needs a value"
                if [[ $1 == --binary=* ]]; then binary=${1#*=}; else unit_dir=${1#*=}; fi
                shift
                ;;
            --systemd)
                systemd=true
                shift
                ;;
            --uninstall)
                action=uninstall
                shift
                ;;
            -h | --help)
                action=help
                shift
                ;;
            --)
                shift
                (($# == 0)) || usage_error "unexpected argument: $1"
                ;;
            -*)
                usage_error "unknown option: $1"
                ;;
            *)
                usage_error "unexpected argument: $1"
                ;;
        esac
    done
    if [[ $prefix_given == true ]]; then
        [[ -n $prefix ]] || usage_error "--prefix must not be empty"
    elif [[ $action == install || $action == uninstall ]]; then
        prefix=$(default_prefix)
    fi
    if [[ $action == uninstall ]]; then
        [[ $systemd == false && -z $binary ]] || usage_error "--uninstall takes only --prefix and --unit-dir"
    fi
}

default_prefix() {
    if ((EUID == 0)); then
        printf '%s\n' /usr/local
    else
        [[ -n ${HOME:-} ]] || die "HOME is not set; pass --prefix DIR"
        printf '%s\n' "$HOME/.local"
    fi
}

# --- checks --------------------------------------------------------------------------
# NativeAOT's link step (Microsoft.NETCore.Native.Unix.targets, ILCompiler 9) runs
# 'clang', falling back to 'gcc', with -fuse-ld=bfd -ldl -lrt -lm and its own libz.a,
# then 'objcopy' to split the symbols off. The probe below links the same way.
cc=""

check_dotnet() {
    command -v dotnet >/dev/null 2>&1 ||
        die "the .NET SDK is missing: install dotnet-sdk-$MIN_SDK_MAJOR.0 (Debian: from packages.microsoft.com, https://learn.microsoft.com/dotnet/core/install/linux-debian)"
    local sdks newest
    sdks=$(dotnet --list-sdks 2>/dev/null || true)
    [[ -n $sdks ]] ||
        die "'dotnet' is there but no .NET SDK is (only a runtime?): install dotnet-sdk-$MIN_SDK_MAJOR.0"
    newest=$(printf '%s\n' "$sdks" | cut -d. -f1 | sort -n | tail -n 1)
    ((newest >= MIN_SDK_MAJOR)) ||
        die "the .NET SDK is too old (newest found: $newest.x, need $MIN_SDK_MAJOR or newer): install dotnet-sdk-$MIN_SDK_MAJOR.0"
}

check_toolchain() {
    if command -v clang >/dev/null 2>&1; then
        cc=clang
    elif command -v gcc >/dev/null 2>&1; then
        cc=gcc
    else
        die "no C compiler/linker for NativeAOT ('clang' or 'gcc'): install clang (Debian: apt-get install clang)"
    fi
    local tool
    for tool in ld.bfd objcopy; do
        command -v "$tool" >/dev/null 2>&1 ||
            die "'$tool' is missing (NativeAOT links and strips with binutils): install binutils (Debian: apt-get install binutils)"
    done
    printf 'int main(void) { return 0; }\n' >"$work/probe.c"
    "$cc" "$work/probe.c" -o "$work/probe" -fuse-ld=bfd -ldl -lrt -lm >"$work/probe.log" 2>&1 || {
        keep_work=true
        die "'$cc' cannot link a C program (libc headers or crt files missing?): install libc6-dev (Debian: apt-get install libc6-dev); details: $work/probe.log"
    }
}

# --- install -------------------------------------------------------------------------
work=""
keep_work=false

cleanup() {
    if [[ -n $work && $keep_work == false ]]; then
        rm -rf -- "$work"
    fi
}

publish() {
    local log="$work/build.log" out="$work/publish" started=$SECONDS
    local cmd=(dotnet publish "$REPO_DIR/$PROJECT" -f "$PUBLISH_TFM" -r linux-x64 -c Release
        -o "$out" --nologo
        # Own bin/obj under the temp dir: this build never races a 'dotnet build' or
        # 'dotnet test' running in the checkout, and never leaves RID-specific assets there.
        --artifacts-path "$work/build"
        -p:WsSupervisorPie="$pie")
    printf 'Building %s (NativeAOT, %s, linux-x64); this takes a minute...\n' "$BIN_NAME" "$PUBLISH_TFM"
    local rc=0
    if [[ $verbose == true ]]; then
        "${cmd[@]}" 2>&1 | tee "$log" || rc=$?
    else
        "${cmd[@]}" >"$log" 2>&1 || rc=$?
    fi
    if ((rc != 0)) || [[ ! -x $out/$BIN_NAME ]]; then
        keep_work=true
        [[ $verbose == true ]] || { tail -n 60 "$log" >&2; echo >&2; }
        if grep -q -- "cannot find -lz" "$log"; then
            die "the native link needs zlib here: install zlib1g-dev (Debian: apt-get install zlib1g-dev); full log: $log"
        fi
        die "build failed (exit $rc); full log: $log"
    fi
    printf 'Built in %ds.\n' $((SECONDS - started))
}

# Replace a file atomically: a running ws-supervisor keeps its old inode, and
# writing over a running executable would fail with ETXTBSY.
install_binary() {
    local src=$1 dest=$2
    local tmp="$dest.new.$$"
    cp -- "$src" "$tmp"
    chmod 0755 -- "$tmp"
    mv -f -- "$tmp" "$dest"
}

install_scripts() {
    local src=$1 dest=$2
    local tmp="$dest.new.$$" old="$dest.old.$$"
    rm -rf -- "$tmp"
    cp -R -- "$src" "$tmp"
    chmod -R u+rwX,go+rX,go-w -- "$tmp"
    if [[ -e $dest ]]; then
        mv -- "$dest" "$old"
    fi
    mv -- "$tmp" "$dest"
    rm -rf -- "$old"
}

on_path() {
    local dir=$1 entry
    local IFS=:
    for entry in ${PATH:-}; do
        [[ $entry == "$dir" || $entry == "$dir/" ]] && return 0
    done
    return 1
}

do_install() {
    [[ -f $REPO_DIR/$PROJECT ]] || die "$PROJECT not found next to $PROG; run it from a ws-supervisor checkout"
    [[ -d $REPO_DIR/worker-scripts ]] || die "worker-scripts/ not found next to $PROG"

    local built
    # Before the build: a unit that cannot be written should not cost a minute first.
    [[ $systemd == false ]] || check_unit_target
    if [[ -n $binary ]]; then
        [[ -f $binary && -x $binary ]] || die "--binary $binary: not an executable file"
        "$binary" --version 2>/dev/null | grep -q "^$BIN_NAME " || die "--binary $binary: not a $BIN_NAME executable ('--version' says otherwise)"
    else
        work=$(mktemp -d "${TMPDIR:-/tmp}/ws-supervisor-install.XXXXXX")
        trap cleanup EXIT
        check_dotnet
        check_toolchain
    fi

    mkdir -p -- "$prefix" 2>/dev/null || die "cannot create $prefix (try another --prefix, or run as root)"
    prefix=$(cd -- "$prefix" && pwd)
    [[ -w $prefix ]] || die "$prefix is not writable (try --prefix \$HOME/.local, or run as root)"
    if [[ -n $binary ]]; then
        built=$binary
    else
        publish
        built="$work/publish/$BIN_NAME"
    fi

    local bin_dir="$prefix/bin" share_dir="$prefix/share/$BIN_NAME"
    mkdir -p -- "$bin_dir" "$share_dir"
    install_binary "$built" "$bin_dir/$BIN_NAME"
    install_scripts "$REPO_DIR/worker-scripts" "$share_dir/worker-scripts"

    local size
    size=$(du -k -- "$bin_dir/$BIN_NAME" | cut -f1)
    printf 'Installed %s/%s (%s KiB, native)\n' "$bin_dir" "$BIN_NAME" "$size"
    printf 'Installed %s/worker-scripts/ (%d files)\n' "$share_dir" \
        "$(find "$share_dir/worker-scripts" -type f | wc -l)"
    if ! on_path "$bin_dir"; then
        printf 'Note: %s is not on your PATH; add it, or run %s/%s\n' "$bin_dir" "$bin_dir" "$BIN_NAME"
    fi
    if [[ $systemd == true ]]; then
        install_unit "$bin_dir/$BIN_NAME" "$share_dir/worker-scripts"
    else
        printf 'Try: %s/%s   then open http://127.0.0.1:8080/ (the demo; docs/demo.md)\n' "$bin_dir" "$BIN_NAME"
    fi
}

# --- systemd -------------------------------------------------------------------------
# The unit is whatever 'ws-supervisor config systemd' prints for the installed paths; its
# "# Made by: ws-supervisor config systemd" line is how --uninstall and a later --systemd
# install know the file is theirs to replace or remove.
readonly UNIT_NAME="$BIN_NAME.service"
readonly UNIT_MARK="# Made by: ws-supervisor config systemd"

systemd_running() {
    [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1
}

ours() {
    [[ -f $1 ]] && grep -qF -- "$UNIT_MARK" "$1"
}

check_unit_target() {
    { mkdir -p -- "$unit_dir" && [[ -w $unit_dir ]]; } 2>/dev/null ||
        die "cannot write the unit to $unit_dir (run as root, or give --unit-dir DIR)"
    if [[ -e $unit_dir/$UNIT_NAME ]] && ! ours "$unit_dir/$UNIT_NAME"; then
        die "$unit_dir/$UNIT_NAME exists and was not written by $PROG: left untouched (move it away, or give --unit-dir)"
    fi
}

install_unit() {
    local bin=$1 scripts=$2 unit="$unit_dir/$UNIT_NAME"
    local tmp="$unit.new.$$"
    "$bin" config systemd --dir="$scripts" >"$tmp" || { rm -f -- "$tmp"; die "'$bin config systemd' failed"; }
    chmod 0644 -- "$tmp"
    mv -f -- "$tmp" "$unit"
    local user
    user=$(sed -n 's/^User=//p' "$unit")
    printf 'Installed %s (runs %s as %s, serving %s on 127.0.0.1:8080)\n' "$unit" "$BIN_NAME" "$user" "$scripts"
    if [[ $unit_dir != "$DEFAULT_UNIT_DIR" ]]; then
        printf 'Not enabled: %s is not %s; to use it there: systemctl daemon-reload && systemctl enable --now %s\n' \
            "$unit_dir" "$DEFAULT_UNIT_DIR" "$BIN_NAME"
    elif ! systemd_running; then
        printf 'systemd is not running here (no /run/systemd/system): the unit is written to %s but not enabled;\n' "$unit"
        printf 'on a systemd host: systemctl daemon-reload && systemctl enable --now %s\n' "$BIN_NAME"
    else
        systemctl daemon-reload || die "systemctl daemon-reload failed"
        systemctl enable --now "$UNIT_NAME" || die "systemctl enable --now $UNIT_NAME failed (see: journalctl -u $BIN_NAME)"
        printf 'Ran systemctl daemon-reload and systemctl enable --now %s: it is running and starts at boot\n' "$BIN_NAME"
        printf 'Check: systemctl status %s; change settings with: systemctl edit %s\n' "$BIN_NAME" "$BIN_NAME"
    fi
}

# --- uninstall -----------------------------------------------------------------------
# Exactly what do_install (and install_unit) put there. Never /run/ws-supervisor: the FIFO
# is the path cron jobs and PHP write to, and their lines are not ours to lose.
do_uninstall() {
    prefix=${prefix%/}
    local bin="$prefix/bin/$BIN_NAME" share_dir="$prefix/share/$BIN_NAME" unit="$unit_dir/$UNIT_NAME" removed=0

    if ours "$unit"; then
        if [[ $unit_dir == "$DEFAULT_UNIT_DIR" ]] && systemd_running; then
            systemctl disable --now "$UNIT_NAME" || die "systemctl disable --now $UNIT_NAME failed; nothing removed"
            rm -f -- "$unit"
            systemctl daemon-reload || true
            printf 'Removed %s (stopped and disabled it first)\n' "$unit"
        else
            rm -f -- "$unit"
            printf 'Removed %s\n' "$unit"
        fi
        removed=$((removed + 1))
        [[ -d $unit.d ]] && printf 'Left %s.d/: your drop-ins\n' "$unit"
    elif [[ -e $unit ]]; then
        printf 'Left %s: not written by %s\n' "$unit" "$PROG"
    fi

    if [[ -f $bin ]]; then
        if "$bin" --version 2>/dev/null | grep -q "^$BIN_NAME "; then
            rm -f -- "$bin"
            printf 'Removed %s\n' "$bin"
            removed=$((removed + 1))
        else
            printf 'Left %s: it does not answer --version as %s does\n' "$bin" "$BIN_NAME"
        fi
    fi

    if [[ -d $share_dir/worker-scripts ]]; then
        rm -rf -- "$share_dir/worker-scripts"
        printf 'Removed %s/worker-scripts/\n' "$share_dir"
        removed=$((removed + 1))
    fi
    if [[ -d $share_dir ]]; then
        if rmdir -- "$share_dir" 2>/dev/null; then
            printf 'Removed %s/\n' "$share_dir"
        else
            printf 'Left %s/: it holds files %s did not put there\n' "$share_dir" "$PROG"
        fi
    fi

    if [[ -d /run/$BIN_NAME ]]; then
        printf 'Left /run/%s: the FIFO and control socket writers use (tmpfs: gone at the next boot)\n' "$BIN_NAME"
    fi
    ((removed > 0)) || printf 'Nothing to remove: no %s under %s, no unit of ours in %s\n' "$BIN_NAME" "$prefix" "$unit_dir"
}

main() {
    parse_args "$@"
    case "$action" in
        help) usage ;;
        install) do_install ;;
        uninstall) do_uninstall ;;
    esac
}

main "$@"
