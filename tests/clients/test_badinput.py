#!/usr/bin/python3
"""test_badinput.py - malformed input over raw TCP, then a real client.

Run by run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_badinput.py PORT SHARE_DIR RO_DIR

Each case sends bytes a real client never would and waits (with a time
limit) for what the server does. Allowed answers: an SMB2 error response
(INVALID_PARAMETER where PROTOCOL.md names it) or a closed connection.
Not allowed: silence until the time limit (a hang), a success status, or a
reply that is not SMB2. After every case impacket must still list [demo],
and a client that connects and sends nothing, or half a frame, must not
keep another client from being served.

Prints one PASS:/FAIL: line per check (the helpers are shared with
test_impacket.py) and exits 1 if any failed.
"""

import os
import random
import socket
import struct
import sys
import time

import test_impacket as t
import wgcheck
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import SMB2_DIALECT_30

HOST = t.HOST
WAIT = 10  # seconds the server gets to answer or close

STATUS_SUCCESS = 0
STATUS_INVALID_PARAMETER = 0xC000000D
STATUS_NOT_SUPPORTED = 0xC00000BB


def smb2_header(command=0, message_id=0, structure_size=64, credits=1):
    return struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", structure_size, 0, 0,
                       command, credits, 0, 0, message_id, 0, 0, 0, b"\0" * 16)


def negotiate_body(dialects=(0x0202, 0x0210, 0x0300), count=None,
                   structure_size=36):
    count = len(dialects) if count is None else count
    body = struct.pack("<HHHHI16sQ", structure_size, count, 1, 0, 0,
                       os.urandom(16), 0)
    return body + b"".join(struct.pack("<H", d) for d in dialects)


def frame(msg):
    return struct.pack(">I", len(msg)) + msg


def smb1_negotiate(dialects):
    """An SMB1 NEGOTIATE (COM_NEGOTIATE 0x72) offering the given strings."""
    data = b"".join(b"\x02" + d + b"\0" for d in dialects)
    hdr = struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", 0x72, 0, 0x18, 0xc853,
                      0, b"\0" * 8, 0, 0, os.getpid() & 0xffff, 0, 0)
    return hdr + struct.pack("<BH", 0, len(data)) + data


def connect():
    try:
        s = socket.create_connection((HOST, PORT), timeout=WAIT)
    except ConnectionRefusedError as e:
        t.fail("connect to %s:%d" % (HOST, PORT), "connection refused")
        raise t.ServerGone() from e
    s.settimeout(WAIT)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_reply(s):
    """("closed", None), ("timeout", None) or ("reply", (status, body))."""
    try:
        lenbuf = recv_exact(s, 4)
        if lenbuf is None:
            return "closed", None
        n = struct.unpack(">I", lenbuf)[0] & 0xFFFFFF
        msg = recv_exact(s, n)
        if msg is None:
            return "closed", None
    except socket.timeout:
        return "timeout", None
    except ConnectionError:
        return "closed", None
    if len(msg) < 64 or msg[:4] != b"\xfeSMB":
        return "reply", (None, msg[:16])
    return "reply", (struct.unpack_from("<I", msg, 8)[0], msg[64:])


def expect_error_or_close(desc, s, want_status=None, half_close=False):
    """Read replies until the server closes or sends an error."""
    if half_close:
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # already closed by the server: read_reply will see it
    deadline = time.monotonic() + WAIT
    while True:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        kind, rep = read_reply(s)
        if kind == "closed":
            t.ok(desc + ": connection closed")
            break
        if kind == "timeout":
            t.fail(desc, "no answer and no close within %ds (hang)" % WAIT)
            break
        status, _ = rep
        if status is None:
            t.fail(desc, "a reply that is not SMB2: %r" % rep[1])
            break
        if status == STATUS_SUCCESS:
            t.fail(desc, "the server answered STATUS_SUCCESS")
            break
        if want_status is not None and status != want_status:
            t.fail(desc, "status 0x%08x, want 0x%08x or a close"
                   % (status, want_status))
            break
        t.ok(desc + ": error 0x%08x" % status)
        break
    s.close()


def still_served(desc):
    """A normal client can log in and list the share (20 s limit)."""
    def run():
        conn = SMBConnection(HOST, HOST, sess_port=PORT,
                             preferredDialect=SMB2_DIALECT_30, timeout=20)
        conn.login(t.USER, t.PASSWORD)
        names = [e.get_longname() for e in conn.listPath("demo", "*")]
        conn.close()
        if "." not in names:
            raise RuntimeError("listing without '.': %s" % names)
    t.check("after %s: impacket still lists [demo]" % desc, run)


def case_valid_negotiate():
    """The raw builder itself: a well-formed NEGOTIATE must succeed."""
    s = connect()
    s.sendall(frame(smb2_header() + negotiate_body()))
    kind, rep = read_reply(s)
    if kind != "reply" or rep[0] != STATUS_SUCCESS:
        t.fail("well-formed raw NEGOTIATE", "got %s %r" % (kind, rep))
        s.close()
        return
    dialect = struct.unpack_from("<H", rep[1], 4)[0]
    t.expect("well-formed raw NEGOTIATE picks 3.0", dialect == 0x0300,
             "dialect 0x%04x" % dialect)
    # PROTOCOL.md section 2: a second NEGOTIATE ends the connection.
    s.sendall(frame(smb2_header(message_id=1) + negotiate_body()))
    expect_error_or_close("second NEGOTIATE on a connection", s)


def main():
    global PORT
    PORT = int(sys.argv[1])
    rnd = random.Random(20261122)  # fixed: a failure can be replayed

    case_valid_negotiate()
    still_served("a second NEGOTIATE")

    cases = [
        # (description, bytes, expected status or None, half-close)
        ("SMB2 header with StructureSize 65",
         frame(smb2_header(structure_size=65) + negotiate_body()),
         STATUS_INVALID_PARAMETER, False),
        ("NEGOTIATE body with StructureSize 35",
         frame(smb2_header() + negotiate_body(structure_size=35)),
         STATUS_INVALID_PARAMETER, False),
        ("NEGOTIATE cut after 10 body bytes",
         frame(smb2_header() + negotiate_body()[:10]),
         STATUS_INVALID_PARAMETER, False),
        ("NEGOTIATE claiming 5 dialects, carrying 2",
         frame(smb2_header() + negotiate_body((0x0202, 0x0210), count=5)),
         STATUS_INVALID_PARAMETER, False),
        ("NEGOTIATE with DialectCount 0",
         frame(smb2_header() + negotiate_body(())),
         STATUS_INVALID_PARAMETER, False),
        ("NEGOTIATE offering only unknown dialects",
         frame(smb2_header() + negotiate_body((0x0100, 0x0201))),
         STATUS_NOT_SUPPORTED, False),
        ("a 40-byte SMB2 header",
         frame(smb2_header()[:40]), STATUS_INVALID_PARAMETER, False),
        ("SESSION_SETUP before NEGOTIATE",
         frame(smb2_header(command=1) + b"\x19\0" + b"\0" * 22), None, False),
        # PROTOCOL.md section 1: no SMB2 dialect offered -> silent close.
        ("SMB1 NEGOTIATE without SMB2 dialects",
         frame(smb1_negotiate([b"NT LM 0.12"])), None, False),
        # The largest 24-bit length: the server may wait for the rest
        # (other clients are still served, checked below) but must give up
        # when the client half-closes.
        ("frame length 0xFFFFFF (16 MiB - 1), 64 bytes sent",
         b"\x00\xff\xff\xff" + smb2_header(), None, True),
        ("4-byte length 0x01000000 (over 16 MiB)",
         b"\x01\x00\x00\x00" + smb2_header(), None, False),
        ("a frame that is not SMB at all",
         frame(b"GET / HTTP/1.0\r\n\r\n" + b"\0" * 60), None, True),
    ]
    for i in range(6):
        blob = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400)))
        cases.append(("random bytes #%d (%d bytes)" % (i, len(blob)), blob,
                      None, True))
    for i in range(4):
        body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300)))
        hdr = bytearray(smb2_header(command=rnd.randrange(0x13)))
        hdr[rnd.randrange(4, 64)] = rnd.randrange(256)
        cases.append(("SMB2 header %d with a random byte and a random body"
                      % i, frame(bytes(hdr) + body), None, True))

    for desc, data, status, half in cases:
        try:
            s = connect()
            s.sendall(data)
            expect_error_or_close(desc, s, status, half)
        except ConnectionError:
            t.ok(desc + ": connection closed while sending")
        except OSError as e:
            t.fail(desc, "%s: %s" % (type(e).__name__, e))
        still_served(desc)

    # Idle and half-sent connections must not block anybody else.
    idle = [connect() for _ in range(3)]
    partial = connect()
    partial.sendall(b"\x00\x00\x00\x48\xfeSM")
    start = time.monotonic()
    still_served("3 silent connections and one half-sent frame")
    t.expect("a client is served promptly while others stall",
             time.monotonic() - start < 10,
             "took %.1fs" % (time.monotonic() - start))
    for s in idle + [partial]:
        s.close()
    still_served("closing the stalled connections")

    return wgcheck.summary("badinput")


if __name__ == "__main__":
    sys.exit(t.run_guarded(main))
