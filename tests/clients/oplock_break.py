#!/usr/bin/python3
"""oplock_break.py - an oplock break that is never acknowledged stalls
nobody beyond 'oplock break timeout', raw SMB2 from three computers.

Run by test_oplock_break.sh (which sets the timeout to TIMEOUT seconds)
as  /usr/bin/python3 oplock_break.py PORT SHARE_DIR RO_DIR TIMEOUT

Computer A (127.0.0.2) holds a batch oplock and never acknowledges the
break; computer B (127.0.0.3) opens the same file: it gets an interim
STATUS_PENDING at once and its CREATE completes after the timeout, not
before; computer C (127.0.0.4) opens, writes, reads and closes another
file meanwhile, well under the timeout. Then a break that A does
acknowledge lets B's CREATE go on at once.

Leases: A holds an RH lease (caching handles) and never acknowledges
its break; B renames the file, then sets delete-on-close on another:
each SET_INFO gets an interim STATUS_PENDING at once, A a break of H
asking for an acknowledgment, and the change happens after the timeout,
not before. An acknowledgment lets B's rename go on at once.
"""
import os
import struct
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw as s2

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
TIMEOUT = float(sys.argv[4])
STATUS_INVALID_OPLOCK_PROTOCOL = 0xC00000E3
STATUS_UNSUCCESSFUL = 0xC0000001
STATUS_DELETE_PENDING = 0xC0000056
LEASE_RH = s2.LEASE_R | s2.LEASE_H


def computer(n):
    return s2.logged_on(PORT, USER, PASSWORD, credits=32,
                        timeout=TIMEOUT + 10, src="127.0.0.%d" % n)


def unacknowledged(a, b, c):
    fid_a, level = a.create_oplock("held.txt", s2.OPLOCK_BATCH,
                                   disposition=s2.FILE_OVERWRITE_IF)
    expect("A is granted a batch oplock", level == s2.OPLOCK_BATCH,
           "level 0x%02x" % level)
    t0 = time.monotonic()
    mid = b.send(s2.CREATE, b.create_body("held.txt"))
    r = b.wait(mid, interim=True, timeout=TIMEOUT / 2)
    expect("B's CREATE gets an interim STATUS_PENDING at once", r.interim,
           "status 0x%08x" % r.status)
    bfid, blevel = a.wait_break(timeout=TIMEOUT / 2)
    expect("A is sent a break to level II of its open",
           bfid == fid_a and blevel == s2.OPLOCK_II,
           "fid %s level 0x%02x" % (bfid.hex(), blevel))

    # C is served normally while B waits
    t1 = time.monotonic()
    fid_c = c.create("other.txt", disposition=s2.FILE_OVERWRITE_IF)
    c.write(fid_c, b"served")
    data = c.read(fid_c, 0, 6)
    c.close(fid_c)
    dt_c = time.monotonic() - t1
    expect("C's open/write/read/close completes in %.3f s, well under "
           "the %.1f s timeout" % (dt_c, TIMEOUT),
           data == b"served" and dt_c < TIMEOUT / 4,
           "data %r in %.3f s" % (data, dt_c))
    expect("B is still waiting after C is done", mid not in b.pending,
           "B was answered early")

    rb = b.wait(mid, timeout=TIMEOUT + 10)
    dt_b = time.monotonic() - t0
    expect("B's CREATE completes after the timeout (%.3f s)" % dt_b,
           rb.status == s2.STATUS_SUCCESS and TIMEOUT - 0.2 <= dt_b <
           TIMEOUT + 3, "status 0x%08x after %.3f s" % (rb.status, dt_b))
    # A's late acknowledgment: the break already counted as to none
    r = a.oplock_ack(fid_a, s2.OPLOCK_II)
    expect("A's late acknowledgment is refused (INVALID_OPLOCK_PROTOCOL)",
           r.status == STATUS_INVALID_OPLOCK_PROTOCOL,
           "status 0x%08x" % r.status)
    a.echo()
    ok("A's connection still works after the timeout")
    b.close(b_fid(rb))
    a.close(fid_a)


def b_fid(r):
    return r.body[64:80]


def acknowledged(a, b):
    fid_a, level = a.create_oplock("acked.txt", s2.OPLOCK_BATCH,
                                   disposition=s2.FILE_OVERWRITE_IF)
    expect("A is granted a batch oplock on a second file",
           level == s2.OPLOCK_BATCH, "level 0x%02x" % level)
    t0 = time.monotonic()
    mid = b.send(s2.CREATE, b.create_body("acked.txt",
                                          oplock=s2.OPLOCK_BATCH))
    bfid, blevel = a.wait_break(timeout=TIMEOUT / 2)
    r = a.oplock_ack(bfid, s2.OPLOCK_II)
    expect("A's acknowledgment to level II is answered level II",
           r.status == s2.STATUS_SUCCESS and r.body[2] == s2.OPLOCK_II,
           "status 0x%08x level 0x%02x" % (r.status, r.body[2]))
    r = b.wait(mid, timeout=TIMEOUT + 10)
    dt = time.monotonic() - t0
    expect("B's CREATE goes on at once after the acknowledgment "
           "(%.3f s)" % dt,
           r.status == s2.STATUS_SUCCESS and dt < TIMEOUT / 2,
           "status 0x%08x after %.3f s" % (r.status, dt))
    expect("B (asking batch) is granted level II beside A's",
           r.body[2] == s2.OPLOCK_II,
           "level 0x%02x" % r.body[2])
    b.close(b_fid(r))
    a.close(fid_a)


def closed_by_holder(a, b):
    fid_a, _ = a.create_oplock("closed.txt", s2.OPLOCK_BATCH,
                               disposition=s2.FILE_OVERWRITE_IF,
                               share=0)
    t0 = time.monotonic()
    mid = b.send(s2.CREATE, b.create_body("closed.txt",
                                          oplock=s2.OPLOCK_BATCH))
    a.wait_break(timeout=TIMEOUT / 2)
    a.close(fid_a)
    r = b.wait(mid, timeout=TIMEOUT + 10)
    dt = time.monotonic() - t0
    expect("a holder that closes instead of acknowledging lets B open "
           "(share none) at once (%.3f s)" % dt,
           r.status == s2.STATUS_SUCCESS and dt < TIMEOUT / 2,
           "status 0x%08x after %.3f s" % (r.status, dt))
    expect("... with the batch oplock it asked for, A's open being gone",
           r.body[2] == s2.OPLOCK_BATCH, "level 0x%02x" % r.body[2])
    b.close(b_fid(r))


def lease_open(a, name, key):
    """A opens name (created) with an RH lease; its FileId."""
    fid, level, ctx, _ = a.create_ctx(name, [s2.rqls(key, LEASE_RH)],
                                      oplock=s2.OPLOCK_LEASE,
                                      disposition=s2.FILE_OVERWRITE_IF)
    state = struct.unpack_from("<I", ctx.get(b"RqLs", bytes(20)), 16)[0]
    expect("A is granted an RH lease on %s" % name,
           level == s2.OPLOCK_LEASE and state == LEASE_RH,
           "level 0x%02x state 0x%x" % (level, state))
    return fid


def lease_waits(a, b, what, name, info_cls, data, check_done):
    """B's SET_INFO (what) on name, leased RH by A who never acknowledges:
    pending at once, done after the timeout."""
    key = os.urandom(16)
    fid_a = lease_open(a, name, key)
    fid_b = b.create(name, access=s2.RW_ACCESS | s2.DELETE)
    t0 = time.monotonic()
    mid = b.send(s2.SET_INFO, b.set_info_body(fid_b, info_cls, data))
    r = b.wait(mid, interim=True, timeout=TIMEOUT / 2)
    expect("B's %s gets an interim STATUS_PENDING at once" % what,
           r.interim, "status 0x%08x" % r.status)
    bkey, cur, new, flags = a.wait_lease_break(timeout=TIMEOUT / 2)
    expect("A is sent a break of its lease from RH to R asking for an "
           "acknowledgment",
           bkey == key and cur == LEASE_RH and new == s2.LEASE_R and
           flags & s2.LEASE_BREAK_ACK_REQUIRED,
           "key %s %x -> %x flags %x" % (bkey.hex(), cur, new, flags))
    check_done(b, False)
    rb = b.wait(mid, timeout=TIMEOUT + 10)
    dt = time.monotonic() - t0
    expect("B's %s completes after the timeout (%.3f s)" % (what, dt),
           rb.status == s2.STATUS_SUCCESS and TIMEOUT - 0.2 <= dt <
           TIMEOUT + 3, "status 0x%08x after %.3f s" % (rb.status, dt))
    check_done(b, True)
    r = a.lease_ack(key, s2.LEASE_R)
    expect("A's late acknowledgment is refused (UNSUCCESSFUL)",
           r.status == STATUS_UNSUCCESSFUL, "status 0x%08x" % r.status)
    b.close(fid_b)
    a.close(fid_a)


def exists(b, name):
    r = b.call(s2.CREATE, b.create_body(name, access=s2.FILE_READ_ATTRIBUTES),
               ok=None)
    if r.status == s2.STATUS_SUCCESS:
        b.close(r.body[64:80])
    return r.status == s2.STATUS_SUCCESS


def renamed(b, done):
    expect("renamed.txt %s" % ("is there now" if done else
                               "is not there while A's break is on"),
           exists(b, "renamed.txt") == done, "exists: %s" % (not done))


def delete_pending(b, done):
    # attributes only: an open that breaks nothing and waits for nothing
    r = b.call(s2.CREATE, b.create_body(
        "doomed.txt", access=s2.FILE_READ_ATTRIBUTES), ok=None)
    if r.status == s2.STATUS_SUCCESS:
        b.close(r.body[64:80])
    want = STATUS_DELETE_PENDING if done else s2.STATUS_SUCCESS
    expect("an open of doomed.txt %s" % (
        "finds it delete-pending now" if done else
        "still succeeds while A's break is on"),
        r.status == want, "status 0x%08x" % r.status)


def lease_acknowledged(a, b):
    key = os.urandom(16)
    fid_a = lease_open(a, "acked2.txt", key)
    fid_b = b.create("acked2.txt", access=s2.RW_ACCESS | s2.DELETE)
    t0 = time.monotonic()
    mid = b.send(s2.SET_INFO, b.set_info_body(
        fid_b, s2.FILE_RENAME_INFORMATION, b.rename_info("acked3.txt")))
    bkey, _cur, new, _flags = a.wait_lease_break(timeout=TIMEOUT / 2)
    r = a.lease_ack(bkey, new)
    expect("A's acknowledgment of the lease break is answered",
           r.status == s2.STATUS_SUCCESS, "status 0x%08x" % r.status)
    r = b.wait(mid, timeout=TIMEOUT + 10)
    dt = time.monotonic() - t0
    expect("B's rename goes on at once after the acknowledgment "
           "(%.3f s)" % dt,
           r.status == s2.STATUS_SUCCESS and dt < TIMEOUT / 2,
           "status 0x%08x after %.3f s" % (r.status, dt))
    b.close(fid_b)
    a.close(fid_a)


def main():
    try:
        a, b, c = computer(2), computer(3), computer(4)
        unacknowledged(a, b, c)
        acknowledged(a, b)
        closed_by_holder(a, b)
        lease_waits(a, b, "rename", "leased.txt",
                    s2.FILE_RENAME_INFORMATION,
                    b.rename_info("renamed.txt"), renamed)
        lease_waits(a, b, "delete-on-close", "doomed.txt",
                    s2.FILE_DISPOSITION_INFORMATION, b"\x01",
                    delete_pending)
        lease_acknowledged(a, b)
    except (s2.Failed, s2.Closed, OSError) as e:
        fail("oplock break scenario", repr(e))
    return wgcheck.summary("oplock_break")


if __name__ == "__main__":
    sys.exit(main())
