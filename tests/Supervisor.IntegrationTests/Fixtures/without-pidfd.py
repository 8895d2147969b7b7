#!/usr/bin/env python3
"""Runs a command in a kernel that seems to predate pidfd_open(2) (Linux 5.3).

usage: without-pidfd.py COMMAND [ARG...]

Installs a seccomp filter that fails pidfd_open with ENOSYS, as an older kernel
would, then execs COMMAND in this same process. The filter is inherited by every
process COMMAND starts, so ws-supervisor's workers take their fallback: a thread
blocked in waitpid per app. Everything else passes. x86_64 only; on any other
architecture it says so and exits 2.
"""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
ENOSYS = 38
AUDIT_ARCH_X86_64 = 0xC000003E
NR_PIDFD_OPEN = 434  # the same number on every architecture since 5.3; checked on x86_64

BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06
OFFSET_NR = 0    # struct seccomp_data: int nr; __u32 arch; ...
OFFSET_ARCH = 4


def instruction(code, jump_true, jump_false, k):
    return struct.pack("HBBI", code, jump_true, jump_false, k)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if platform.machine() != "x86_64":
        print(f"without-pidfd.py: x86_64 only, this is {platform.machine()}", file=sys.stderr)
        return 2

    program = b"".join([
        instruction(BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),
        instruction(BPF_JEQ_K, 0, 3, AUDIT_ARCH_X86_64),   # another ABI: allow
        instruction(BPF_LD_W_ABS, 0, 0, OFFSET_NR),
        instruction(BPF_JEQ_K, 0, 1, NR_PIDFD_OPEN),
        instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),
        instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ])
    filter_buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.addressof(filter_buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    # No new privileges: what lets a process install a filter without CAP_SYS_ADMIN. It
    # only stops exec from gaining privileges (setuid binaries); dropping them still works.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        print(f"without-pidfd.py: PR_SET_NO_NEW_PRIVS: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 2
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        print(f"without-pidfd.py: PR_SET_SECCOMP: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 2
    os.execvp(sys.argv[1], sys.argv[1:])


sys.exit(main())
