#!/usr/bin/python3
"""durable_budget.py - the budget of durable opens one disconnected
computer may keep: SMBD_MAX_DURABLE_PER_CLIENT (1024, smbd/fs/open.h).

Run by test_durable_budget.sh as
    /usr/bin/python3 durable_budget.py PORT SHARE_DIR RO_DIR WGNET CONF

Computer A (127.0.0.31, raw SMB2) opens LIMIT + EXTRA files, each with a
batch oplock and a durable handle (DHnQ), writes a line into each, and
its connection is reset (RST). The server keeps exactly LIMIT of them
for a reconnect and closes the others: `wgnet session` shows LIMIT
durable opens in A's disconnected slot, `wgnet statistics` counts the
durable_opens limit as hit, and the server log names A and the limit.
A reconnects: exactly LIMIT handles reattach and the EXTRA others are
refused with STATUS_OBJECT_NAME_NOT_FOUND. Every written line is on
disk, the closed opens' too, and `wgnet files` lists exactly the LIMIT
reattached opens.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect, find_key
import smb2raw
from smb2raw import (Conn, OPLOCK_BATCH, FILE_OVERWRITE_IF,
                     STATUS_SUCCESS, STATUS_OBJECT_NAME_NOT_FOUND,
                     status_name)

USER, PASSWORD = "alice", "Passw0rd!"
A = "127.0.0.31"
LIMIT, EXTRA = 1024, 6
PORT = 0
WGNET = CONF = None


def logon(src):
    c = Conn(PORT, src=src, timeout=30)
    c.negotiate(dialects=(smb2raw.DIALECT_210, smb2raw.DIALECT_300))
    c.logon(USER, PASSWORD, credits=256)
    c.tree_connect("demo")
    return c


def wgnet(*args):
    p = subprocess.run([WGNET, "-c", CONF] + list(args) + ["--json"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    return json.loads(p.stdout) if p.returncode == 0 else None


def slot_of(ip):
    for s in (wgnet("session") or {}).get("sessions", []):
        if s.get("ip") == ip:
            return s
    return None


def run(share_dir):
    n = LIMIT + EXTRA
    stats = wgnet("statistics")
    hits0 = find_key(stats, "durable_opens")
    expect("wgnet statistics --json counts durable_opens limit hits",
           hits0 is not None, json.dumps(stats)[:300])
    a = logon(A)
    fids = []
    for i in range(n):
        name = "budget_%04d.dat" % i
        fid, level, ctxs, _r = a.create_ctx(
            name, [smb2raw.dhnq()], oplock=OPLOCK_BATCH,
            disposition=FILE_OVERWRITE_IF)
        if level != OPLOCK_BATCH or b"DHnQ" not in ctxs:
            fail("open %s durably" % name, "level %d, contexts %s" %
                 (level, sorted(ctxs)))
            return
        a.write(fid, b"line %04d\n" % i, 0)
        fids.append(fid)
    ok("A holds %d durable opens (batch oplock, DHnQ granted)" % n)
    a.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    a.sock.close()

    end = time.monotonic() + 15
    s = slot_of(A)
    while (s is None or not s.get("disconnected")) and \
            time.monotonic() < end:
        time.sleep(0.1)
        s = slot_of(A)
    expect("A's slot is disconnected and keeps exactly %d durable opens" %
           LIMIT, s is not None and s.get("disconnected") is True and
           s.get("durable_opens") == LIMIT, json.dumps(s))
    hits = find_key(wgnet("statistics"), "durable_opens")
    expect("wgnet statistics: the durable_opens limit was hit",
           hits0 is not None and hits is not None and
           hits >= hits0 + 1, "%r -> %r" % (hits0, hits))

    a = logon(A)
    back, gone, other = 0, 0, []
    for fid in fids:
        fid2, _l, _c, r = a.create_ctx("", [smb2raw.dhnc(fid)], ok=None)
        if r.status == STATUS_SUCCESS and fid2 == fid:
            back += 1
        elif r.status == STATUS_OBJECT_NAME_NOT_FOUND:
            gone += 1
        else:
            other.append(status_name(r.status))
    expect("A reconnects: %d handles reattach, %d are refused with "
           "OBJECT_NAME_NOT_FOUND" % (LIMIT, EXTRA),
           back == LIMIT and gone == EXTRA and not other,
           "%d reattached, %d not found, others %s" % (back, gone,
                                                       other[:5]))
    lost = []
    for i in range(n):
        with open(os.path.join(share_dir, "budget_%04d.dat" % i),
                  "rb") as f:
            if f.read() != b"line %04d\n" % i:
                lost.append(i)
    expect("every written line is on disk (kept and closed opens)",
           not lost, "lost %s" % lost[:10])
    files = wgnet("files")
    nfiles = len((files or {}).get("files", [])) if files else -1
    expect("wgnet files: A holds exactly the %d reattached opens" % LIMIT,
           nfiles == LIMIT, "%d files listed" % nfiles)
    a.close_socket()
    for i in range(n):
        try:
            os.unlink(os.path.join(share_dir, "budget_%04d.dat" % i))
        except OSError:
            pass


def main():
    global PORT, WGNET, CONF
    PORT = int(sys.argv[1])
    share_dir = sys.argv[2]
    WGNET, CONF = sys.argv[4], sys.argv[5]
    try:
        run(share_dir)
    except (OSError, smb2raw.Closed, smb2raw.Failed) as e:
        fail("durable budget", repr(e))
    return wgcheck.summary("durable_budget.py")


if __name__ == "__main__":
    sys.exit(main())
