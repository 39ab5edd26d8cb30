#!/usr/bin/python3
"""dirlease.py - directory leases with real clients, raw SMB2 3.0 from two
computers.

Run by test_dirlease.sh (which sets 'oplock break timeout' to TIMEOUT
seconds) as  /usr/bin/python3 dirlease.py PORT SHARE_DIR RO_DIR TIMEOUT

Computer A (127.0.0.2) holds an RH lease on directory dl; computer B
(127.0.0.3) creates a file in it, renames one within it, renames one in
from outside, deletes one: each time A is sent a break from RH to none
that asks for an acknowledgment, and B's request completes at once, not
waiting for it. An R lease is broken without an acknowledgment. A's own
create carrying the directory's lease key as its parent key leaves the
lease alone; one without it breaks it as anyone's. While a break is not
acknowledged, an open of the directory itself does not wait for it, but
one the share modes refuse waits for H to go, no longer than the
timeout. Computer C (127.0.0.4), which does not say it knows
directory leases, is neither offered them nor granted one.
"""

import os
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw as s2
from smb2raw import Conn

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE_DIR = sys.argv[2]
TIMEOUT = float(sys.argv[4])
RH = s2.LEASE_R | s2.LEASE_H
KA = bytes(range(1, 17))        # A's lease key on dl
KF = bytes(range(101, 117))     # A's lease key on a file in dl
QUICK = 0.5                     # a request that does not wait
STATUS_SHARING_VIOLATION = 0xC0000043


def computer(n, dirlease=True):
    """A client at 127.0.0.n; dirlease: it says it knows directory
    leases (SMB2_GLOBAL_CAP_DIRECTORY_LEASING in its NEGOTIATE)."""
    c = Conn(PORT, src="127.0.0.%d" % n, timeout=TIMEOUT + 10)
    r = c.negotiate(caps=s2.CAP_LARGE_MTU |
                    (s2.CAP_DIRECTORY_LEASING if dirlease else 0))
    c.caps = int.from_bytes(r.body[24:28], "little")
    c.logon(USER, PASSWORD)
    s2.grow_credits(c, 32)
    c.tree_connect("demo")
    return c


def dir_lease(a, state, what):
    """A opens dl asking state with KA: (FileId, granted state)."""
    fid, level, ctxs, _r = a.create_ctx(
        "dl", [s2.rqls_v2(KA, state)], oplock=0xFF,
        access=s2.FILE_LIST_DIRECTORY | s2.FILE_READ_ATTRIBUTES |
        s2.SYNCHRONIZE, disposition=s2.FILE_OPEN)
    ls = s2.lease_of(ctxs)
    expect("A gets a lease on dl (%s)" % what,
           level == 0xFF and ls is not None and ls[0] == KA,
           "level 0x%02x lease %r" % (level, ls))
    return fid, ls[1] if ls else 0


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def no_break(a, what, wait=1.0):
    try:
        br = a.wait_lease_break(timeout=wait)
        fail(what, "break %r" % (br,))
    except (TimeoutError, OSError):
        ok(what)


def expect_break(a, what, current=RH, ack=True):
    """A is sent the break of KA from current to none; it acknowledges."""
    key, cur, new, flags = a.wait_lease_break(timeout=QUICK * 4)
    want_flags = s2.LEASE_BREAK_ACK_REQUIRED if ack else 0
    expect("A is sent a break of dl's lease after %s" % what,
           key == KA and cur == current and new == 0 and
           flags == want_flags,
           "key %s %x -> %x flags %x" % (key.hex(), cur, new, flags))
    if ack:
        r = a.lease_ack(KA, 0)
        expect("A acknowledges it to none", r.status == s2.STATUS_SUCCESS,
               "status 0x%08x" % r.status)


def regain(a):
    """A's second open of dl with KA takes the lease back up to RH."""
    fid, state = dir_lease(a, RH, "again")
    expect("... RH again", state == RH, "state %x" % state)
    a.close(fid)


def changes_by_b(a, b):
    fid, state = dir_lease(a, RH | s2.LEASE_W, "RWH asked")
    expect("a directory lease is RH at most (W never)", state == RH,
           "state %x" % state)

    def create():
        b.close(b.create("dl\\b1.txt", disposition=s2.FILE_CREATE))
    dt = timed(create)
    expect("B's create in dl completes at once (%.3f s)" % dt, dt < QUICK,
           "%.3f s" % dt)
    expect_break(a, "B's create")

    regain(a)

    def rename():
        f = b.create("dl\\b1.txt", access=s2.DELETE | s2.SYNCHRONIZE)
        b.rename(f, "dl\\b2.txt")
        b.close(f)
    dt = timed(rename)
    expect("B's rename within dl completes at once (%.3f s)" % dt,
           dt < QUICK, "%.3f s" % dt)
    expect_break(a, "B's rename")

    regain(a)
    b.close(b.create("top.txt", disposition=s2.FILE_OVERWRITE_IF))
    no_break(a, "B's create at the share root does not break dl's lease",
             QUICK)
    f = b.create("top.txt", access=s2.DELETE | s2.SYNCHRONIZE)
    b.rename(f, "dl\\in.txt")
    b.close(f)
    expect_break(a, "B's rename into dl")

    regain(a)

    def delete():
        b.close(b.create("dl\\b2.txt", access=s2.DELETE | s2.SYNCHRONIZE,
                         options=s2.FILE_DELETE_ON_CLOSE))
    dt = timed(delete)
    expect("B's delete in dl completes at once (%.3f s)" % dt, dt < QUICK,
           "%.3f s" % dt)
    expect_break(a, "B's delete")
    expect("... and b2.txt is gone",
           not os.path.exists(os.path.join(SHARE_DIR, "dl", "b2.txt")),
           "still there")

    regain(a)

    def write():
        f = b.create("dl\\in.txt", disposition=s2.FILE_OPEN)
        b.write(f, b"more data")
        b.close(f)
    timed(write)
    expect_break(a, "B writes a file in dl and closes it")
    return fid


def own_changes(a, fid):
    regain(a)
    f, level, ctxs, _r = a.create_ctx(
        "dl\\a1.txt", [s2.rqls_v2(KF, RH | s2.LEASE_W, parent=KA)],
        oplock=0xFF, disposition=s2.FILE_CREATE)
    ls = s2.lease_of(ctxs)
    expect("A's create in dl names dl's lease as parent",
           ls is not None and ls[2] & s2.LEASE_FLAG_PARENT_KEY_SET,
           "lease %r" % (ls,))
    a.write(f, b"own")
    a.close(f)
    no_break(a, "A's own create and write with the parent key leave dl's "
             "lease alone")
    a.close(a.create("dl\\a2.txt", disposition=s2.FILE_CREATE))
    expect_break(a, "A's own create without the parent key")
    a.close(fid)


def read_only_lease(a, b):
    fid, state = dir_lease(a, s2.LEASE_R, "R asked")
    expect("... R", state == s2.LEASE_R, "state %x" % state)
    b.close(b.create("dl\\b3.txt", disposition=s2.FILE_CREATE))
    expect_break(a, "B's create (R: no acknowledgment)", current=s2.LEASE_R,
                 ack=False)
    a.close(fid)


def unacknowledged(a, b):
    fid, state = dir_lease(a, RH, "RH, the break left unanswered")
    b.close(b.create("dl\\b4.txt", disposition=s2.FILE_CREATE))
    key, cur, new, flags = a.wait_lease_break(timeout=QUICK * 4)
    expect("A is sent the break and does not answer",
           key == KA and cur == RH and new == 0, "%x -> %x" % (cur, new))
    # B's open of dl itself does not wait for it ...
    def plain_open():
        b.close(b.create("dl", access=s2.FILE_LIST_DIRECTORY |
                         s2.SYNCHRONIZE, options=s2.FILE_DIRECTORY_FILE))
    dt = timed(plain_open)
    expect("B's open of dl does not wait for the break (%.3f s)" % dt,
           dt < QUICK, "%.3f s" % dt)
    # ... but one the share modes refuse waits for H to go: the timeout
    # at most, then it is refused
    t0 = time.monotonic()
    mid = b.send(s2.CREATE, b.create_body(
        "dl", access=s2.FILE_LIST_DIRECTORY | s2.SYNCHRONIZE, share=0,
        options=s2.FILE_DIRECTORY_FILE))
    r = b.wait(mid, timeout=TIMEOUT + 10)
    dt = time.monotonic() - t0
    expect("B's open of dl sharing nothing waits out the timeout, then "
           "is refused (%.3f s)" % dt,
           r.status == STATUS_SHARING_VIOLATION and
           TIMEOUT - 0.3 <= dt < TIMEOUT + 3,
           "status 0x%08x after %.3f s" % (r.status, dt))
    a.close(fid)


def not_offered(c):
    """A client that does not say it knows directory leases is not
    offered them (impacket 0.10 fails every CREATE when it is) and is
    granted none."""
    expect("a client without the capability is not offered directory "
           "leasing", not c.caps & s2.CAP_DIRECTORY_LEASING,
           "caps 0x%x" % c.caps)
    fid, level, ctxs, _r = c.create_ctx(
        "dl", [s2.rqls_v2(KA, RH)], oplock=0xFF,
        access=s2.FILE_LIST_DIRECTORY | s2.SYNCHRONIZE)
    expect("... and its open of dl with a v2 lease context gets none",
           level == 0 and s2.lease_of(ctxs) is None,
           "level 0x%02x lease %r" % (level, s2.lease_of(ctxs)))
    c.close(fid)


def main():
    try:
        a, b = computer(2), computer(3)
        expect("the server advertises directory leasing (SMB 3.0)",
               a.caps & s2.CAP_DIRECTORY_LEASING, "caps 0x%x" % a.caps)
        b.close(b.create("dl", access=s2.FILE_LIST_DIRECTORY | s2.SYNCHRONIZE,
                         disposition=s2.FILE_OPEN_IF,
                         options=s2.FILE_DIRECTORY_FILE))
        fid = changes_by_b(a, b)
        own_changes(a, fid)
        read_only_lease(a, b)
        unacknowledged(a, b)
        not_offered(computer(4, dirlease=False))
        # left for the teardown: A's lease on dl, B's written open in
        # it; their connections end with the script
        dir_lease(a, RH, "kept to the end")
        f = b.create("dl\\left.txt", disposition=s2.FILE_OVERWRITE_IF)
        b.write(f, b"written, never closed")
    except (s2.Failed, s2.Closed, OSError) as e:
        fail("directory lease scenario", repr(e))
    return wgcheck.summary("dirlease")


if __name__ == "__main__":
    sys.exit(main())
