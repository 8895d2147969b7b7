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
Usage: ./$PROG [--prefix DIR] [--verbose]

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

Options:
  --prefix DIR   Install under DIR (created if missing). Default: /usr/local when run
                 as root, \$HOME/.local otherwise.
  --verbose      Show the build output as it happens (by default it goes to a log
                 file, shown only if the build fails).
  -h, --help     Show this help and exit.

Needs (checked before building; a missing piece is named with its Debian package):
  - the .NET SDK $MIN_SDK_MAJOR or newer ('dotnet'; package dotnet-sdk-$MIN_SDK_MAJOR.0 from
    packages.microsoft.com) and a reachable NuGet feed for the first build;
  - a C toolchain for the native link: 'clang' (package clang) or 'gcc' (package gcc),
    the C library's development files (libc6-dev) and 'ld.bfd' and 'objcopy' (binutils).
    On Debian 12, 'apt-get install clang' brings all of these.
zlib is not needed: the NativeAOT toolchain links its own copy.

Exit status: 0 installed, 1 a check or the build failed, 2 bad usage.
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
    elif [[ $action == install ]]; then
        prefix=$(default_prefix)
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
        --artifacts-path "$work/build")
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

    work=$(mktemp -d "${TMPDIR:-/tmp}/ws-supervisor-install.XXXXXX")
    trap cleanup EXIT
    check_dotnet
    check_toolchain

    mkdir -p -- "$prefix" 2>/dev/null || die "cannot create $prefix (try another --prefix, or run as root)"
    prefix=$(cd -- "$prefix" && pwd)
    [[ -w $prefix ]] || die "$prefix is not writable (try --prefix \$HOME/.local, or run as root)"
    publish

    local bin_dir="$prefix/bin" share_dir="$prefix/share/$BIN_NAME"
    mkdir -p -- "$bin_dir" "$share_dir"
    install_binary "$work/publish/$BIN_NAME" "$bin_dir/$BIN_NAME"
    install_scripts "$REPO_DIR/worker-scripts" "$share_dir/worker-scripts"

    local size
    size=$(du -k -- "$bin_dir/$BIN_NAME" | cut -f1)
    printf 'Installed %s/%s (%s KiB, native)\n' "$bin_dir" "$BIN_NAME" "$size"
    printf 'Installed %s/worker-scripts/ (%d files)\n' "$share_dir" \
        "$(find "$share_dir/worker-scripts" -type f | wc -l)"
    if ! on_path "$bin_dir"; then
        printf 'Note: %s is not on your PATH; add it, or run %s/%s\n' "$bin_dir" "$bin_dir" "$BIN_NAME"
    fi
    printf 'Try: %s/%s   then open http://127.0.0.1:8080/ (the demo; docs/demo.md)\n' "$bin_dir" "$BIN_NAME"
}

main() {
    parse_args "$@"
    case "$action" in
        help) usage ;;
        install) do_install ;;
    esac
}

main "$@"
