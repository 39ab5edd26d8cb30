#!/usr/bin/python3
"""sessions_churn.py - many short SMB2 sessions, as fast as loopback allows.

Used by test_sessions.sh (case 9) as
    /usr/bin/python3 sessions_churn.py PORT CYCLES FIRST_ADDR NADDRS [NPROCS]

One cycle is what a client computer does when it maps a drive and lets it
go: TCP connect (from 127.0.0.FIRST_ADDR+k, one of NADDRS "computers"),
NEGOTIATE, SESSION_SETUP with bare NTLMSSP NEGOTIATE, SESSION_SETUP with an
anonymous NTLMSSP AUTHENTICATE (a null session: it still goes through the
session manager's admission and takes a slot), LOGOFF, close. impacket
manages about 125 such cycles a second here, too slow for 20,000 in a CI
run, hence this minimal client; it checks every status it gets back.

NPROCS worker processes (default 2) share the cycles. Prints
    CHURN cycles=N errors=E seconds=S rate=R
and, for up to 5 errors, "ERROR: ..." lines. Exits 0 if every cycle went
through, 1 otherwise.
"""

import os
import socket
import struct
import sys
import time

# the wire constants (smb2raw's impacket NTLM is not used: too slow here)
from smb2raw import (HOST, NEGOTIATE, SESSION_SETUP, LOGOFF, FLAG_ASYNC,
                     HDR_LEN, STATUS_SUCCESS, STATUS_PENDING,
                     STATUS_MORE_PROCESSING_REQUIRED, Conn)

NTLM_FLAGS = (0x00000001 |  # UNICODE
              0x00000004 |  # REQUEST_TARGET
              0x00000200 |  # NTLM
              0x00008000 |  # ALWAYS_SIGN
              0x00080000 |  # EXTENDED_SESSIONSECURITY
              0x20000000 |  # 128
              0x80000000)   # 56
NTLM_ANONYMOUS = 0x00000800


class CycleError(Exception):
    pass


def header(cmd, mid, sid=0):
    # CreditCharge 1, CreditRequest 8: never short of credits.
    return struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, 1, 0, cmd, 8, 0,
                       0, mid, 0, 0, sid, b"\0" * 16)


def send(s, msg):
    s.sendall(struct.pack(">I", len(msg)) + msg)


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise CycleError("connection closed by the server")
        buf += chunk
    return bytes(buf)


def recv_reply(s, want_cmd):
    """(status, session id, body) of the next reply, skipping interim
    STATUS_PENDING ones."""
    while True:
        n = struct.unpack(">I", recv_exact(s, 4))[0] & 0xFFFFFF
        msg = recv_exact(s, n)
        if msg[:4] != b"\xfeSMB":
            raise CycleError("not an SMB2 reply")
        status = struct.unpack_from("<I", msg, 8)[0]
        cmd = struct.unpack_from("<H", msg, 12)[0]
        flags = struct.unpack_from("<I", msg, 16)[0]
        if status == STATUS_PENDING and flags & FLAG_ASYNC:  # interim
            continue
        if cmd != want_cmd:
            raise CycleError("reply to command %d, wanted %d" % (cmd, want_cmd))
        sid = struct.unpack_from("<Q", msg, 40)[0]
        return status, sid, msg[HDR_LEN:]


NEG_BODY = struct.pack("<HHHHI16sQ", 36, 2, 1, 0, 0, b"churn-client-0001", 0) \
    + struct.pack("<HH", 0x0202, 0x0210)

NTLM_NEGOTIATE = b"NTLMSSP\0" + struct.pack("<II", 1, NTLM_FLAGS) \
    + struct.pack("<HHI", 0, 0, 0) * 2


def ntlm_anonymous_auth():
    # Fixed part 64 bytes (no version, no MIC); LM = Z(1), everything else
    # empty: MS-NLMP 3.2.5.1.2 anonymous.
    off = 64
    fields = [(b"\0", off)]              # LmChallengeResponse
    fields.append((b"", off + 1))         # NtChallengeResponse
    fields.append((b"", off + 1))         # DomainName
    fields.append((b"", off + 1))         # UserName
    fields.append((b"", off + 1))         # Workstation
    fields.append((b"", off + 1))         # EncryptedRandomSessionKey
    msg = b"NTLMSSP\0" + struct.pack("<I", 3)
    for data, o in fields:
        msg += struct.pack("<HHI", len(data), len(data), o)
    msg += struct.pack("<I", NTLM_FLAGS | NTLM_ANONYMOUS)
    assert len(msg) == 64
    return msg + b"\0"


NTLM_AUTH = ntlm_anonymous_auth()


def cycle(src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(10)
        s.bind((src, 0))
        s.connect((HOST, port))
        send(s, header(NEGOTIATE, 0) + NEG_BODY)
        st, _, _ = recv_reply(s, NEGOTIATE)
        if st != STATUS_SUCCESS:
            raise CycleError("NEGOTIATE: 0x%08x" % st)
        send(s, header(SESSION_SETUP, 1)
             + Conn.session_setup_body(NTLM_NEGOTIATE))
        st, sid, _ = recv_reply(s, SESSION_SETUP)
        if st != STATUS_MORE_PROCESSING_REQUIRED or sid == 0:
            raise CycleError("SESSION_SETUP 1: 0x%08x" % st)
        send(s, header(SESSION_SETUP, 2, sid)
             + Conn.session_setup_body(NTLM_AUTH))
        st, _, body = recv_reply(s, SESSION_SETUP)
        if st != STATUS_SUCCESS:
            raise CycleError("SESSION_SETUP 2: 0x%08x" % st)
        send(s, header(LOGOFF, 3, sid) + struct.pack("<HH", 4, 0))
        st, _, _ = recv_reply(s, LOGOFF)
        if st != STATUS_SUCCESS:
            raise CycleError("LOGOFF: 0x%08x" % st)
    finally:
        s.close()


def worker(port, n, addrs, wfd):
    errors = []
    nerr = 0
    for i in range(n):
        try:
            cycle(addrs[i % len(addrs)], port)
        except (OSError, CycleError) as e:
            nerr += 1
            if len(errors) < 5:
                errors.append("cycle %d from %s: %s: %s" % (
                    i, addrs[i % len(addrs)], type(e).__name__, e))
    os.write(wfd, ("%d\n" % nerr + "".join("ERROR: %s\n" % e
                                           for e in errors)).encode())
    os.close(wfd)


def main():
    port = int(sys.argv[1])
    cycles = int(sys.argv[2])
    first = int(sys.argv[3])
    naddrs = int(sys.argv[4])
    nprocs = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    addrs = ["127.0.0.%d" % (first + k) for k in range(naddrs)]
    t0 = time.monotonic()
    kids = []
    for p in range(nprocs):
        share = cycles // nprocs + (1 if p < cycles % nprocs else 0)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                # each worker its own slice of the computers
                worker(port, share, addrs[p::nprocs] or addrs, w)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(w)
        kids.append((pid, r))
    nerr = 0
    lines = []
    for pid, r in kids:
        with os.fdopen(r) as f:
            out = f.read().splitlines()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not out:
            nerr += 1
            lines.append("ERROR: worker %d died (status %d)" % (pid, status))
            continue
        nerr += int(out[0])
        lines += out[1:]
    secs = time.monotonic() - t0
    for line in lines[:5]:
        print(line)
    print("CHURN cycles=%d errors=%d seconds=%.1f rate=%.0f" % (
        cycles, nerr, secs, cycles / secs if secs > 0 else 0), flush=True)
    return 0 if nerr == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
