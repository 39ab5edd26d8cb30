#!/usr/bin/python3
"""durable_reconnect.py - a client that loses its TCP connection in the
middle of its writes finds every acknowledged byte after reconnecting.

Run by test_durable_reconnect.sh (a daemon with `durable handles = yes`
on [demo]) as
    /usr/bin/python3 durable_reconnect.py PORT SHARE_DIR RO_DIR

For DHnQ/DHnC (v1, from 127.0.0.5) and DH2Q/DH2C (v2, from 127.0.0.6):
open a file durably with a batch oplock, keep WINDOW 64 KiB WRITEs in
flight, and after ACKED of them have been answered send WINDOW more and
reset the connection (SO_LINGER 0: a RST, no FIN, as a crashed network
path would). Then from the same computer: a new connection, logon, tree
connect and the reconnect context, and check that
  - the reconnect is answered with the same FileId and the batch oplock
    and no DHnQ/DH2Q context [MS-SMB2 3.3.5.9.7, 3.3.5.9.12];
  - every byte of every acknowledged WRITE reads back through the
    reattached handle (unacknowledged ones may or may not be there);
  - the handle writes and closes, and the file on disk holds the data;
  - the handle cannot be reattached a second time, nor (v2) with another
    CreateGuid.
The time from the RST to the reattached handle is printed ("# " lines).
"""

import os
import socket
import struct
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw
from smb2raw import (Conn, CREATE, WRITE, HDR_LEN, OPLOCK_BATCH,
                     FILE_OVERWRITE_IF, STATUS_SUCCESS,
                     STATUS_OBJECT_NAME_NOT_FOUND, status_name)

USER, PASSWORD = "alice", "Passw0rd!"
CHUNK = 65536
WINDOW = 8
ACKED = 48


def connect(port, src):
    c = Conn(port, src=src, timeout=20)
    c.negotiate(dialects=(smb2raw.DIALECT_210, smb2raw.DIALECT_300))
    c.logon(USER, PASSWORD)
    c.tree_connect("demo")
    return c


def write_body(fid, data, offset):
    return struct.pack("<HHIQ16sIIHHI", 49, HDR_LEN + 48, len(data),
                       offset, fid, 0, 0, 0, 0, 0) + data


def chunk_data(kind, i):
    # distinct and recognisable per chunk: a torn or misplaced write shows
    seed = ("%s-%d-" % (kind, i)).encode()
    return (seed * (CHUNK // len(seed) + 1))[:CHUNK]


def rst(c):
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.sock.close()


def run(port, share_dir, kind, src):
    name = "durable_%s.dat" % kind
    guid = os.urandom(16)
    c = connect(port, src)
    req = smb2raw.dhnq() if kind == "v1" else smb2raw.dh2q(guid, 60000)
    fid, level, ctxs, _r = c.create_ctx(name, [req], oplock=OPLOCK_BATCH,
                                        disposition=FILE_OVERWRITE_IF)
    want = b"DHnQ" if kind == "v1" else b"DH2Q"
    if level != OPLOCK_BATCH or want not in ctxs:
        fail("%s: durable open with a batch oplock" % kind,
             "oplock 0x%02x, contexts %s" % (level, sorted(ctxs)))
        return
    ok("%s: durable open with a batch oplock granted" % kind)

    # WRITEs, WINDOW in flight; acked: offset -> data
    acked = {}
    inflight = []
    i = 0
    while len(acked) < ACKED:
        while len(inflight) < WINDOW:
            data = chunk_data(kind, i)
            mid = c.send(WRITE, write_body(fid, data, i * CHUNK),
                         charge=c.charge_for(CHUNK))
            inflight.append((mid, i * CHUNK, data))
            i += 1
        mid, off, data = inflight.pop(0)
        r = c.wait(mid)
        if r.status != STATUS_SUCCESS:
            fail("%s: WRITE at %d" % (kind, off), status_name(r.status))
            return
        acked[off] = data
    # more in flight, then the connection dies under them
    for _ in range(WINDOW):
        data = chunk_data(kind, i)
        c.send(WRITE, write_body(fid, data, i * CHUNK),
               charge=c.charge_for(CHUNK))
        i += 1
    # the replies already here are acknowledgements too
    try:
        while True:
            for r in c.recv(0.005):
                c.pending[r.mid] = r
    except (OSError, smb2raw.Closed):
        pass
    for mid, off, data in inflight:
        r = c.pending.get(mid)
        if r is not None and r.status == STATUS_SUCCESS:
            acked[off] = data
    t0 = time.monotonic()
    rst(c)

    # reconnect from the same computer
    tries = 0
    c2 = connect(port, src)
    t_conn = time.monotonic() - t0
    if kind == "v2":
        _f, _l, _c, r = c2.create_ctx(
            "", [smb2raw.dh2c(fid, os.urandom(16))], ok=None)
        expect("v2: DH2C with another CreateGuid is refused",
               r.status == STATUS_OBJECT_NAME_NOT_FOUND,
               status_name(r.status))
    while True:
        tries += 1
        ctx = smb2raw.dhnc(fid) if kind == "v1" else smb2raw.dh2c(fid, guid)
        fid2, level2, ctxs2, r = c2.create_ctx("", [ctx], ok=None)
        if r.status != STATUS_OBJECT_NAME_NOT_FOUND or tries >= 50:
            break
        time.sleep(0.02)    # the server may not have seen the RST yet
    t_all = time.monotonic() - t0
    if r.status != STATUS_SUCCESS:
        fail("%s: reconnect" % kind, "%s after %d tries" %
             (status_name(r.status), tries))
        return
    print("# %s: RST -> new connection + logon + tree %.1f ms, "
          "-> handle reattached %.1f ms (%d CREATE%s)" %
          (kind, t_conn * 1000, t_all * 1000, tries,
           "" if tries == 1 else "s"), flush=True)
    expect("%s: reconnect keeps the FileId and the batch oplock" % kind,
           fid2 == fid and level2 == OPLOCK_BATCH,
           "FileId %s oplock 0x%02x" % (fid2.hex(), level2))
    expect("%s: reconnect answer has no DHnQ/DH2Q context" % kind,
           b"DHnQ" not in ctxs2 and b"DH2Q" not in ctxs2, sorted(ctxs2))

    bad = [off for off, data in sorted(acked.items())
           if c2.read(fid2, off, CHUNK) != data]
    expect("%s: all %d acknowledged WRITEs (%d KiB) read back" %
           (kind, len(acked), len(acked) * CHUNK // 1024), not bad,
           "differ at offsets %s" % bad[:8])

    # a second reattach of the same handle: it is no longer preserved
    _f, _l, _c, r = c2.create_ctx(
        "", [smb2raw.dhnc(fid) if kind == "v1" else
             smb2raw.dh2c(fid, guid)], ok=None)
    expect("%s: a second reconnect of the handle is refused" % kind,
           r.status == STATUS_OBJECT_NAME_NOT_FOUND, status_name(r.status))

    tail = b"the end\n"
    end = i * CHUNK
    c2.write(fid2, tail, end)
    c2.close(fid2)
    with open(os.path.join(share_dir, name), "rb") as f:
        disk = f.read()
    bad = [off for off, data in acked.items()
           if disk[off:off + CHUNK] != data]
    expect("%s: after CLOSE the file on disk holds every acknowledged "
           "byte and the last write" % kind,
           not bad and disk[end:end + len(tail)] == tail,
           "differ at %s, size %d" % (sorted(bad)[:8], len(disk)))
    c2.close_socket()
    os.unlink(os.path.join(share_dir, name))


def main():
    port = int(sys.argv[1])
    share_dir = sys.argv[2]
    for kind, src in (("v1", "127.0.0.5"), ("v2", "127.0.0.6")):
        try:
            run(port, share_dir, kind, src)
        except (OSError, smb2raw.Closed, smb2raw.Failed) as e:
            fail("%s: durable reconnect" % kind, repr(e))
    return wgcheck.summary("durable_reconnect.py")


if __name__ == "__main__":
    sys.exit(main())
