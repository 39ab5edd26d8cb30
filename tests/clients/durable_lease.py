#!/usr/bin/python3
"""durable_lease.py - a durable handle held by a lease: its lease comes
back with it on the new connection, and a disconnected holder is not
waited for.

Run by test_durable_lease.sh (a daemon with `durable handles = yes` on
[demo]) as
    /usr/bin/python3 durable_lease.py PORT SHARE_DIR RO_DIR

Computer A (127.0.0.7, one ClientGuid throughout) opens a file with a v2
lease RWH and DH2Q, writes, and its connection is reset (RST). From A
again: DH2C naming the lease [MS-SMB2 3.3.5.9.12] gives back the FileId
and the lease RWH. Then B (127.0.0.8) opens the file: the lease break
(RWH to RH) must reach A's new connection, and once A acknowledges it B's
open completes at once: a lease left pointing at the dead connection
would have B wait the whole `oplock break timeout` (35 s). A is reset
again (RH, still durable) and C (127.0.0.9) overwrites the file: the
disconnected durable open is closed rather than waited for [MS-SMB2
3.3.4.7], so C is served within seconds, and A's later DH2C is refused.
"""

import os
import socket
import struct
import sys
import time

import wgcheck
from wgcheck import fail, expect
import smb2raw
from smb2raw import (Conn, CREATE, OPLOCK_BREAK, FILE_OPEN,
                     FILE_OVERWRITE_IF, STATUS_SUCCESS,
                     STATUS_OBJECT_NAME_NOT_FOUND, status_name)

USER, PASSWORD = "alice", "Passw0rd!"
OPLOCK_LEASE = 0xFF
R, H, W = 0x1, 0x2, 0x4
NAME = "durable_lease.dat"
DATA = b"written before the reset\n" * 100


def connect(port, src, guid=None):
    c = Conn(port, src=src, timeout=20)
    c.negotiate(dialects=(smb2raw.DIALECT_300,), client_guid=guid)
    c.logon(USER, PASSWORD)
    c.tree_connect("demo")
    return c


def rst(c):
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.sock.close()


def reconnect(port, guid, fid, cguid, key):
    a = connect(port, "127.0.0.7", guid)
    f, _l, ctxs, r = a.create_ctx(
        NAME, [smb2raw.dh2c(fid, cguid), smb2raw.rqls_v2(key, 0)],
        oplock=OPLOCK_LEASE, ok=None)
    return a, f, ctxs, r


def run(port, share_dir):
    guid, cguid, key = os.urandom(16), os.urandom(16), os.urandom(16)
    a = connect(port, "127.0.0.7", guid)
    fid, level, ctxs, _r = a.create_ctx(
        NAME, [smb2raw.dh2q(cguid, 60000), smb2raw.rqls_v2(key, R | W | H)],
        oplock=OPLOCK_LEASE, disposition=FILE_OVERWRITE_IF)
    if level != OPLOCK_LEASE or smb2raw.lease_state(ctxs) != R | W | H or \
            b"DH2Q" not in ctxs:
        fail("durable open with a lease RWH",
             "oplock 0x%02x, lease %s, contexts %s" %
             (level, smb2raw.lease_state(ctxs), sorted(ctxs)))
        return
    a.write(fid, DATA)
    rst(a)
    time.sleep(0.3)

    a, fid2, ctxs, r = reconnect(port, guid, fid, cguid, key)
    expect("DH2C with the lease reattaches the handle",
           r.status == STATUS_SUCCESS and fid2 == fid,
           status_name(r.status))
    expect("the reconnect answer carries the lease RWH",
           smb2raw.lease_state(ctxs) == R | W | H,
           "lease %s" % smb2raw.lease_state(ctxs))
    if r.status != STATUS_SUCCESS:
        return

    b = connect(port, "127.0.0.8")
    t0 = time.monotonic()
    mid = b.send(CREATE, b.create_body(NAME, disposition=FILE_OPEN))
    try:
        bkey, cur, new, _flags = a.wait_lease_break(timeout=10)
    except socket.timeout:
        fail("the lease break reaches the reattached connection",
             "none in 10 s")
        return
    expect("the lease break reaches the reattached connection",
           bkey == key and cur == R | W | H and new == R | H,
           "key match %s, %#x -> %#x" % (bkey == key, cur, new))
    ack = a.lease_ack(key, R | H)
    expect("the acknowledgment is accepted", ack.status == STATUS_SUCCESS,
           status_name(ack.status))
    rb = b.wait(mid, timeout=40)
    took = time.monotonic() - t0
    expect("B's open completes right after the acknowledgment "
           "(%.2f s)" % took, rb.status == STATUS_SUCCESS and took < 5,
           status_name(rb.status))
    b.close(rb.body[64:80])
    b.close_socket()

    # A goes again, holding RH: still durable
    rst(a)
    time.sleep(0.3)
    c = connect(port, "127.0.0.9")
    t0 = time.monotonic()
    fc, _l, _c, rc = c.create_ctx(NAME, [], disposition=FILE_OVERWRITE_IF,
                                  ok=None, timeout=40)
    took = time.monotonic() - t0
    expect("an overwrite by C closes the disconnected lease holder at once "
           "(%.2f s)" % took, rc.status == STATUS_SUCCESS and took < 5,
           status_name(rc.status))
    if rc.status == STATUS_SUCCESS:
        c.close(fc)
    a, _f, _c, r = reconnect(port, guid, fid, cguid, key)
    expect("the closed handle's DH2C is refused",
           r.status == STATUS_OBJECT_NAME_NOT_FOUND, status_name(r.status))
    a.close_socket()
    c.close_socket()
    os.unlink(os.path.join(share_dir, NAME))


def main():
    port = int(sys.argv[1])
    share_dir = sys.argv[2]
    try:
        run(port, share_dir)
    except (OSError, smb2raw.Closed, smb2raw.Failed) as e:
        fail("durable lease", repr(e))
    return wgcheck.summary("durable_lease.py")


if __name__ == "__main__":
    sys.exit(main())
