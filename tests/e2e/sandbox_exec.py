"""Run a program under the unit's kernel-level restrictions, without systemd (test helper).

    python sandbox_exec.py SPEC.json PROGRAM [ARGS…]

SPEC.json holds `{"allow": [syscall numbers], "families": [address families], "mdwe": bool}`.
This sets PR_SET_NO_NEW_PRIVS (NoNewPrivileges=yes), optionally PR_SET_MDWE
(MemoryDenyWriteExecute=yes), and a seccomp filter that allows only the listed system calls
and answers every other one with EPERM (SystemCallFilter= + SystemCallErrorNumber=EPERM) and
refuses sockets of other families with EAFNOSUPPORT (RestrictAddressFamilies=), as systemd
does; then it execs PROGRAM, which inherits all of it (and so do its children).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_SET_MDWE = 65
SECCOMP_MODE_FILTER = 2
PR_MDWE_REFUSE_EXEC_GAIN = 1
AUDIT_ARCH_X86_64 = 0xC000003E
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000
EPERM = 1
EAFNOSUPPORT = 97
NR_SOCKET = 41
# BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
RET_K = 0x06
# offsets in struct seccomp_data
NR_OFFSET, ARCH_OFFSET, ARG0_OFFSET = 0, 4, 16


class SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def build_filter(allow: list[int], families: list[int]) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jt, jf, k) tuples."""
    program = [
        (LD_W_ABS, 0, 0, ARCH_OFFSET),
        (JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        (RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (LD_W_ABS, 0, 0, NR_OFFSET),
    ]
    # socket(): only the allowed families.
    socket_block = [(LD_W_ABS, 0, 0, ARG0_OFFSET)]
    for family in families:
        socket_block += [(JEQ_K, 0, 1, family), (RET_K, 0, 0, SECCOMP_RET_ALLOW)]
    socket_block.append((RET_K, 0, 0, SECCOMP_RET_ERRNO | EAFNOSUPPORT))
    program.append((JEQ_K, 0, len(socket_block), NR_SOCKET))
    program += socket_block
    for number in sorted(set(allow) - {NR_SOCKET}):
        program += [(JEQ_K, 0, 1, number), (RET_K, 0, 0, SECCOMP_RET_ALLOW)]
    program.append((RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM))
    return program


def main() -> None:
    spec = json.loads(open(sys.argv[1]).read())  # noqa: SIM115 (exec follows)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit(f"PR_SET_NO_NEW_PRIVS failed errno={ctypes.get_errno()}")
    if spec.get("mdwe") and libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        sys.exit(f"PR_SET_MDWE failed errno={ctypes.get_errno()}")
    program = build_filter(spec["allow"], spec["families"])
    filters = (SockFilter * len(program))(*[SockFilter(*ins) for ins in program])
    prog = SockFprog(len(program), filters)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        sys.exit(f"PR_SET_SECCOMP failed errno={ctypes.get_errno()}")
    os.execv(sys.argv[2], sys.argv[2:])


if __name__ == "__main__":
    main()
