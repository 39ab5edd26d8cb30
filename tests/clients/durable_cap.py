#!/usr/bin/python3
"""durable_cap.py - the session cap and durable handles together: the
slot of a computer whose connection dropped while it held durable opens
stays reserved for it until it reconnects or they time out.

Run by test_durable_cap.sh (a daemon with `max sessions = 2`,
`durable handle timeout = 30s`) as
    /usr/bin/python3 durable_cap.py PORT SHARE_DIR RO_DIR WGNET CONF POLICY
POLICY is the daemon's `cap policy` (refuse or reclaim).

Computers (raw SMB2): A 127.0.0.21 holds a durable open (batch oplock,
written data) and its connection is reset (RST); B 127.0.0.22 takes the
other slot; C 127.0.0.23 is refused with STATUS_REQUEST_NOT_ACCEPTED
while A's slot is reserved (with reclaim, B, idle and without opens, is
reclaimed for C instead, never A's reserved slot; then the other slot
holds an open file, so reclaim has nothing to take). `wgnet session` shows
A's slot as disconnected with its durable open and the seconds left. A
reconnects, is admitted into its own slot (never refused by its ghost)
and reattaches its handle. Then A's slot is reserved again and
`wgnet session \\\\127.0.0.21 /delete` ends it (the written data is
flushed to disk) and C gets in; and once more with a DH2Q timeout of 3 s,
after which the slot is free by itself.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw
from smb2raw import (Conn, OPLOCK_BATCH, FILE_OVERWRITE_IF, STATUS_SUCCESS,
                     STATUS_REQUEST_NOT_ACCEPTED, status_name)

USER, PASSWORD = "alice", "Passw0rd!"
A, B, C, D = "127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"
PORT = 0
WGNET = CONF = None


def logon(src):
    """A connection from src logged on; (conn, None) or (None, status)."""
    c = Conn(PORT, src=src, timeout=20)
    c.negotiate(dialects=(smb2raw.DIALECT_210, smb2raw.DIALECT_300))
    try:
        c.logon(USER, PASSWORD)
    except smb2raw.Failed as e:
        c.close_socket()
        return None, e.status
    return c, None


def rst(c):
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    c.sock.close()


def wgnet(*args, js=True):
    cmd = [WGNET, "-c", CONF] + list(args) + (["--json"] if js else [])
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    if js:
        return json.loads(p.stdout) if p.returncode == 0 else None
    return p.stdout + p.stderr


def slot_of(ip):
    d = wgnet("session")
    for s in (d or {}).get("sessions", []):
        if s.get("ip") == ip:
            return s
    return None


def wait_slot(ip, want, what, secs=10.0):
    """Poll wgnet until want(slot of ip) holds; the slot (or None)."""
    end = time.monotonic() + secs
    while True:
        s = slot_of(ip)
        if want(s) or time.monotonic() > end:
            return s
        time.sleep(0.1)


def hold_durable(name, timeout_ms=0):
    """A logs on, opens name durably (v2 when timeout_ms), writes, RSTs."""
    c, st = logon(A)
    if c is None:
        raise smb2raw.Failed("A logon", type("R", (), {"status": st})())
    c.tree_connect("demo")
    guid = os.urandom(16)
    req = smb2raw.dh2q(guid, timeout_ms) if timeout_ms else smb2raw.dhnq()
    fid, level, ctxs, _r = c.create_ctx(name, [req], oplock=OPLOCK_BATCH,
                                        disposition=FILE_OVERWRITE_IF)
    if level != OPLOCK_BATCH or not ({b"DHnQ", b"DH2Q"} & set(ctxs)):
        raise smb2raw.Failed("durable open", type("R", (), {"status": 0})())
    c.write(fid, b"kept for a reconnect\n", 0)
    rst(c)
    return fid, guid


def is_ghost(s):
    return s is not None and s.get("disconnected") is True


def run(share_dir, policy):
    global C
    # ---- A's slot reserved: another computer at the full cap is refused
    fid, _g = hold_durable("cap_a.dat")
    s = wait_slot(A, is_ghost, "A disconnected")
    expect("wgnet session --json: A's slot is disconnected with its one "
           "durable open and seconds left",
           is_ghost(s) and s.get("durable_opens") == 1 and
           0 < s.get("durable_secs_left", 0) <= 30,
           json.dumps(s))
    b, st = logon(B)
    expect("B takes the second slot", b is not None, status_name(st or 0))
    if b is None:
        return
    b.tree_connect("demo")
    table = wgnet("session", js=False)
    print("# wgnet session:\n# " + table.rstrip().replace("\n", "\n# "),
          flush=True)
    expect("wgnet session: A's row says disconnected, 1 durable open, "
           "seconds left, 2 of 2 in use",
           "disconnected" in table and
           "1 durable open kept for a reconnect" in table and
           " s left" in table and "2 of 2 sessions in use" in table, table)
    detail = wgnet("session", "\\\\" + A, js=False)
    expect("wgnet session \\\\A: Disconnected line and its SMB session",
           "Disconnected" in detail and "disconnected" in detail and
           "durable open" in detail, detail)
    c, st = logon(C)
    if policy == "refuse":
        expect("C is refused with STATUS_REQUEST_NOT_ACCEPTED while A's "
               "slot is reserved", c is None and
               st == STATUS_REQUEST_NOT_ACCEPTED, status_name(st or 0))
    else:
        expect("reclaim: C gets B's idle slot, never A's reserved one",
               c is not None and is_ghost(slot_of(A)) and
               slot_of(B) is None, status_name(st or 0))
        b.close_socket()
        b = c
        b.tree_connect("demo")
        C = D       # C now holds the other slot: D is the newcomer
    # the other slot holds a file open: reclaim has nothing to take now
    b.create("cap_b.dat", disposition=FILE_OVERWRITE_IF)
    # ---- A comes back: admitted into its own slot, reattaches
    a, st = logon(A)
    expect("A reconnects at the full cap: not refused by its own ghost",
           a is not None, status_name(st or 0))
    if a is None:
        return
    a.tree_connect("demo")
    fid2, level, _c, r = a.create_ctx("", [smb2raw.dhnc(fid)], ok=None)
    expect("A reattaches its durable open", r.status == STATUS_SUCCESS and
           fid2 == fid, status_name(r.status))
    s = wait_slot(A, lambda s: s is not None and not is_ghost(s) and
                  s.get("durable_opens") == 0, "A live")
    expect("A's slot is live again, nothing disconnected in it",
           s is not None and not is_ghost(s) and
           s.get("durable_opens") == 0, json.dumps(s))
    d = wgnet("session")
    expect("still 2 slots in use (A took over its reserved slot)",
           d is not None and d.get("slots_used") == 2, json.dumps(d))
    if r.status == STATUS_SUCCESS:
        a.close(fid2)

    # ---- reserved again; the admin deletes it: flushed, slot free
    a.tree_connect("demo")
    fid3, level, _c, _r = a.create_ctx(
        "cap_del.dat", [smb2raw.dhnq()], oplock=OPLOCK_BATCH,
        disposition=FILE_OVERWRITE_IF)
    a.write(fid3, b"flushed by the delete\n", 0)
    rst(a)
    s = wait_slot(A, is_ghost, "A disconnected again")
    expect("A's slot reserved again", is_ghost(s), json.dumps(s))
    c, st = logon(C)
    expect("C refused again", c is None and
           st == STATUS_REQUEST_NOT_ACCEPTED, status_name(st or 0))
    out = wgnet("session", "\\\\" + A, "/delete", js=False)
    expect("wgnet session \\\\A /delete ends the disconnected session",
           "1 session(s) ended, 1 open file(s)" in out, out)
    s = wait_slot(A, lambda s: s is None, "A gone")
    expect("A's slot is gone", s is None, json.dumps(s))
    path = os.path.join(share_dir, "cap_del.dat")
    data = b""
    for _ in range(50):
        with open(path, "rb") as f:
            data = f.read()
        if data:
            break
        time.sleep(0.05)
    expect("its written data is on disk", data == b"flushed by the delete\n",
           repr(data))
    c, st = logon(C)
    expect("C gets in once the slot is free", c is not None,
           status_name(st or 0))
    if c is None:
        return
    c.close_socket()
    wait_slot(C, lambda s: s is None, "C gone")

    # ---- reserved once more, with a 3 s DH2Q timeout: frees itself
    hold_durable("cap_t.dat", timeout_ms=3000)
    s = wait_slot(A, is_ghost, "A disconnected, v2")
    expect("v2: A's slot reserved, at most 3 s left",
           is_ghost(s) and 0 < s.get("durable_secs_left", 0) <= 3,
           json.dumps(s))
    c, st = logon(C)
    expect("v2: C refused meanwhile", c is None and
           st == STATUS_REQUEST_NOT_ACCEPTED, status_name(st or 0))
    t0 = time.monotonic()
    s = wait_slot(A, lambda s: s is None, "A timed out", secs=10)
    expect("v2: the slot is free when the durable open times out "
           "(after %.1f s)" % (time.monotonic() - t0), s is None,
           json.dumps(s))
    c, st = logon(C)
    expect("v2: C gets in after the timeout", c is not None,
           status_name(st or 0))
    if c is not None:
        c.close_socket()
    b.close_socket()
    for n in ("cap_a.dat", "cap_b.dat", "cap_del.dat", "cap_t.dat"):
        try:
            os.unlink(os.path.join(share_dir, n))
        except OSError:
            pass


def main():
    global PORT, WGNET, CONF
    PORT = int(sys.argv[1])
    share_dir = sys.argv[2]
    WGNET, CONF, policy = sys.argv[4], sys.argv[5], sys.argv[6]
    try:
        run(share_dir, policy)
    except (OSError, smb2raw.Closed, smb2raw.Failed) as e:
        fail("durable cap (%s)" % policy, repr(e))
    return wgcheck.summary("durable_cap.py (%s)" % policy)


if __name__ == "__main__":
    sys.exit(main())
