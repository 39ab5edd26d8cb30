#!/usr/bin/python3
"""test_locks.py - the byte-range lock budgets, with impacket's SMB2 client.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_locks.py PORT SHARE_DIR RO_DIR
against the default limits: 'max locks per open' = 1024, 16 x that
(16384) locks per connection, 256 blocking LOCK requests waiting per
connection. Each refusal must be STATUS_INSUFFICIENT_RESOURCES, the
refused LOCK request's earlier elements must be rolled back [MS-SMB2
3.3.5.14.2], and the server must still serve the next request. It also
times how long it takes to fill the budgets and the READ latency of an
open while 16384 locks are held on its file (printed as "# " lines).

With LOCK_BENCH=N it only times N locks on one open (stopping at the
first refusal) and reports READ latency, for before/after figures.
"""

import os
import struct
import sys

import wgcheck
from wgcheck import ok, fail, expect
import time

from impacket.smbconnection import SMBConnection
from impacket.smb3structs import (SMB2_DIALECT_30, SMB2_LOCK, SMB2Lock,
                                  FILE_READ_DATA, FILE_WRITE_DATA,
                                  FILE_SHARE_READ, FILE_SHARE_WRITE,
                                  FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE)
from impacket.nt_errors import ERROR_MESSAGES, STATUS_SUCCESS

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
STATUS_INSUFFICIENT_RESOURCES = 0xC000009A
STATUS_LOCK_NOT_GRANTED = 0xC0000055
STATUS_FILE_LOCK_CONFLICT = 0xC0000054
SHARED, EXCL, UNLOCK, FAIL_NOW = 0x01, 0x02, 0x04, 0x10
PER_OPEN = 1024
PER_CONN = 16 * PER_OPEN
WAITS = 256
BATCH = 64


def sname(code):
    return "%s (0x%08x)" % (ERROR_MESSAGES.get(code, ("?",))[0], code)


class Client:
    def __init__(self, port, name="client"):
        # every client comes from HOST: the daemon listens there only, and
        # impacket cannot pick a source address; name is for reading only
        self.name = name
        self.conn = SMBConnection(HOST, HOST, sess_port=port,
                                  preferredDialect=SMB2_DIALECT_30,
                                  timeout=120)
        self.conn.login(USER, PASSWORD)
        self.tid = self.conn.connectTree("demo")
        self.smb = self.conn.getSMBServer()

    def open(self, name):
        return self.conn.createFile(
            self.tid, name, desiredAccess=FILE_READ_DATA | FILE_WRITE_DATA,
            shareMode=FILE_SHARE_READ | FILE_SHARE_WRITE,
            creationOption=FILE_NON_DIRECTORY_FILE,
            creationDisposition=FILE_OPEN_IF)

    def lock_send(self, fid, elems):
        pkt = self.smb.SMB_PACKET()
        pkt['Command'] = SMB2_LOCK
        pkt['TreeID'] = self.tid
        req = SMB2Lock()
        req['FileID'] = fid
        req['LockCount'] = len(elems)
        req['Locks'] = b"".join(struct.pack("<QQLL", o, n, f, 0)
                                for o, n, f in elems)
        pkt['Data'] = req
        return self.smb.sendSMB(pkt)

    def lock(self, fid, elems):
        """The LOCK request's final status (interim PENDINGs skipped)."""
        return self.smb.recvSMB(self.lock_send(fid, elems))['Status']

    def close(self, fid):
        try:
            self.conn.closeFile(self.tid, fid)
        except KeyError:
            # impacket 0.10 forgets a name once per close: the second
            # open of the same name raises after the server closed it
            pass

    def read(self, fid, off, n):
        return self.smb.read(self.tid, fid, off, n)


def take(c, fid, first, count, step=2, flags=EXCL | FAIL_NOW):
    """Lock count 1-byte ranges at first, first+step, ... in batches.
    Returns (locks granted, the refusing status or None, seconds)."""
    got = 0
    t0 = time.monotonic()
    while got < count:
        n = min(BATCH, count - got)
        st = c.lock(fid, [(first + (got + i) * step, 1, flags)
                          for i in range(n)])
        if st != STATUS_SUCCESS:
            # find how many of this batch fit: one at a time
            for i in range(n):
                st = c.lock(fid, [(first + (got + i) * step, 1, flags)])
                if st != STATUS_SUCCESS:
                    return got, st, time.monotonic() - t0
                got += 1
            continue
        got += n
    return got, None, time.monotonic() - t0


def read_latency(c, fid, off, n=200):
    """Microseconds per 1-byte READ at off (the file must hold it)."""
    t0 = time.monotonic()
    for _ in range(n):
        c.read(fid, off, 1)
    return (time.monotonic() - t0) / n * 1e6


def per_open(port):
    c = Client(port)
    a = c.open("locks-a.bin")
    b = c.open("locks-a.bin")
    got, st, secs = take(c, a, 0, PER_OPEN + 1)
    print("# %d locks on one open in %.2f s, then %s" %
          (got, secs, sname(st) if st else "no refusal"), flush=True)
    expect("open A gets exactly %d locks (max locks per open)" % PER_OPEN,
           got == PER_OPEN, "got %d" % got)
    expect("lock %d on open A: STATUS_INSUFFICIENT_RESOURCES" % (PER_OPEN + 1),
           st == STATUS_INSUFFICIENT_RESOURCES,
           sname(st) if st else "granted")
    # Free one, then ask for two: the first is granted, the second is
    # over the cap, and the first must be rolled back with it.
    st = c.lock(a, [(0, 1, UNLOCK)])
    expect("unlock one of A's locks", st == STATUS_SUCCESS, sname(st))
    free = 1 << 40
    st = c.lock(a, [(free, 1, EXCL | FAIL_NOW), (free + 2, 1, EXCL | FAIL_NOW)])
    expect("LOCK [ok, over cap] on A: STATUS_INSUFFICIENT_RESOURCES",
           st == STATUS_INSUFFICIENT_RESOURCES, sname(st))
    st = c.lock(b, [(free, 1, EXCL | FAIL_NOW)])
    expect("the refused request's first element was rolled back "
           "(open B can lock it)", st == STATUS_SUCCESS, sname(st))
    st = c.lock(a, [(0, 1, EXCL | FAIL_NOW)])
    expect("A can take a lock again after unlocking one",
           st == STATUS_SUCCESS, sname(st))
    # The locks still work: B cannot write into A's range, may elsewhere.
    try:
        c.conn.writeFile(c.tid, b, b"x", 2)
        fail("B's write into A's locked byte 2", "allowed")
    except Exception as e:
        expect("B's write into A's locked byte 2: FILE_LOCK_CONFLICT",
               getattr(e, "getErrorCode", lambda: 0)() ==
               STATUS_FILE_LOCK_CONFLICT, str(e))
    st = c.lock(b, [(1, 1, EXCL | FAIL_NOW)])
    expect("B locks byte 1, between A's locks", st == STATUS_SUCCESS,
           sname(st))
    c.close(a)
    st = c.lock(b, [(2, 1, EXCL | FAIL_NOW)])
    expect("closing A released its locks (B locks byte 2)",
           st == STATUS_SUCCESS, sname(st))
    c.close(b)
    c.conn.close()


def per_conn(port):
    c = Client(port, "c2")
    fids = [c.open("locks-b.bin") for _ in range(PER_CONN // PER_OPEN + 1)]
    c.conn.writeFile(c.tid, fids[0], b"b" * 4096, 0)
    total = 0
    t0 = time.monotonic()
    for i, fid in enumerate(fids[:-1]):
        got, st, _ = take(c, fid, i * 4 * PER_OPEN, PER_OPEN, step=4,
                          flags=SHARED | FAIL_NOW)
        total += got
    secs = time.monotonic() - t0
    print("# %d locks on one connection (%d opens) in %.2f s" %
          (total, len(fids) - 1, secs), flush=True)
    expect("%d locks on %d opens of one connection" %
           (PER_CONN, len(fids) - 1), total == PER_CONN, "got %d" % total)
    got, st, _ = take(c, fids[-1], 1 << 50, 1)
    expect("lock %d of the connection, on a fresh open: "
           "STATUS_INSUFFICIENT_RESOURCES" % (PER_CONN + 1),
           got == 0 and st == STATUS_INSUFFICIENT_RESOURCES,
           sname(st) if st else "granted")
    # A second client's READ on the file while they are held.
    d = Client(port, "c3")
    fid = d.open("locks-b.bin")
    us = read_latency(d, fid, 1)
    print("# READ latency with %d locks held on the file: %.0f us" %
          (total, us), flush=True)
    expect("another client reads the file while %d locks are held "
           "(%.0f us per READ)" % (total, us), us < 20000, "too slow")
    st = d.lock(fid, [(0, 1, EXCL | FAIL_NOW)])
    expect("... and cannot take an exclusive lock over a shared one",
           st == STATUS_LOCK_NOT_GRANTED, sname(st))
    for fid2 in fids:
        c.close(fid2)
    got, st, _ = take(c, c.open("locks-b.bin"), 0, 1)
    expect("after closing its opens the connection may lock again",
           got == 1, sname(st) if st else "?")
    d.conn.close()
    c.conn.close()


def waits(port):
    h = Client(port, "c4")
    hf = h.open("locks-c.bin")
    st = h.lock(hf, [(0, 1, EXCL | FAIL_NOW)])
    expect("holder locks byte 0", st == STATUS_SUCCESS, sname(st))
    w = Client(port, "c5")
    wf = w.open("locks-c.bin")
    for _ in range(WAITS):
        w.lock_send(wf, [(0, 1, EXCL)])
    st = w.lock(wf, [(0, 1, EXCL)])
    expect("blocking LOCK %d waiting on one connection: "
           "STATUS_INSUFFICIENT_RESOURCES" % (WAITS + 1),
           st == STATUS_INSUFFICIENT_RESOURCES, sname(st))
    w.conn.close()
    e = Client(port, "c6")
    ef = e.open("locks-c.bin")
    st = e.lock(ef, [(0, 1, SHARED | FAIL_NOW)])
    expect("the waiters' connection went; the holder's lock still holds",
           st == STATUS_LOCK_NOT_GRANTED, sname(st))
    e.conn.close()
    h.conn.close()


def bench(port, n):
    c = Client(port)
    a = c.open("locks-bench.bin")
    c.conn.writeFile(c.tid, a, b"b" * 4096, 0)
    got, st, secs = take(c, a, 0, n)
    print("# LOCK_BENCH: %d locks on one open in %.2f s (%s)" %
          (got, secs, sname(st) if st else "no refusal"), flush=True)
    d = Client(port, "c3")
    fid = d.open("locks-bench.bin")
    print("# LOCK_BENCH: READ latency of another open with %d locks held: "
          "%.0f us" % (got, read_latency(d, fid, 1)), flush=True)
    ok("bench ran")


def main():
    port = int(sys.argv[1])
    if os.environ.get("LOCK_BENCH"):
        bench(port, int(os.environ["LOCK_BENCH"]))
    else:
        for fn in (per_open, per_conn, waits):
            try:
                fn(port)
            except Exception as e:
                fail(fn.__name__, "%s: %s" % (type(e).__name__, e))
        # the server still answers
        try:
            c = Client(port, "c7")
            c.conn.listPath("demo", "*")
            ok("a new client logs on and lists the share afterwards")
        except Exception as e:
            fail("a new client logs on and lists the share afterwards",
                 str(e))
    sys.exit(wgcheck.summary("test_locks"))


if __name__ == "__main__":
    main()
