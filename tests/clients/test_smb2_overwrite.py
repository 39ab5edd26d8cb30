#!/usr/bin/python3
"""test_smb2_overwrite.py - share modes and a dropped client while an SMB2
CREATE's overwrite truncates a large file on a worker, raw SMB2.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_smb2_overwrite.py PORT SHARE_DIR RO_DIR

A CREATE that overwrites an existing file of 1 MiB or more registers
its open, truncates on a worker and answers after it (smb2/cmd/create.c
create_trunc_send, fs/openpath.h SMBD_TRUNC_OFFLOAD_MIN); the request
waits without an interim STATUS_PENDING. Meanwhile the open's share
modes must hold.

For each disposition that overwrites (OVERWRITE_IF, OVERWRITE,
SUPERSEDE): a CREATE of a 64 MiB file that shares nothing and, in the
same send() as a frame of its own, a CREATE FILE_OPEN of the same name
that shares all. The second is STATUS_SHARING_VIOLATION whenever it
comes, and at least once in five tries it is answered before the first
(an interim STATUS_PENDING of the first before it would count as well):
it was checked while the truncate ran. The first answers its
CreateAction (OVERWRITTEN, or SUPERSEDED) and EndOfFile 0, the file is
0 bytes on disk, and what is written through the new handle is all it
holds (no truncate came after the reply). The same with the second
CREATE from another client computer (another source address, maybe
another event loop) sent right behind the first on its own connection,
three times: SHARING_VIOLATION, or its loop got there first and the
overwrite is the one that is; the two never both succeed. Across loops
the reply order shows no timing (a loop writes its replies after it
lets the state lock go), so "# ... answered first" lines only inform.

An open that shares with the overwrite and comes while it truncates
(again in the same send(), answered first) may be granted a level II
oplock (asking batch) or a lease caching reads (asking RWH): once the
truncate is done that caching breaks (to oplock none, to a lease without
R), as for any overwrite: the client must not keep the old contents.

Then clients that leave while the truncate runs: one closes its socket
right after sending its OVERWRITE_IF, one once the file's size has
dropped (the truncate has begun), one sends a TREE_DISCONNECT and one a
LOGOFF behind it. Each time the server keeps answering another
connection, the open is closed (an open that shares nothing gets in),
and a TREE_DISCONNECT or LOGOFF answers, and so does the CREATE it
ended (NETWORK_NAME_DELETED or USER_SESSION_DELETED, or success if it
finished first). Under ASan run_all.sh's checks of the server log find
leaks and memory errors.
"""

import os
import select
import socket
import struct
import sys
import time

import wgcheck
import bigcut
from wgcheck import ok, expect
import smb2raw as s2
from smb2raw import Conn

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
MIB = 1024 * 1024
HUGE = 64 * MIB
TRIES = 5
# opens from another computer, whatever their timing
TRIES_OTHER = 3
OTHER_SRC = "127.0.0.7"     # another client computer

FILE_SUPERSEDE = 0
FILE_OVERWRITE = 4
FILE_WAS_SUPERSEDED = 0
FILE_WAS_OVERWRITTEN = 3
STATUS_SHARING_VIOLATION = 0xC0000043
STATUS_NETWORK_NAME_DELETED = 0xC00000C9
STATUS_USER_SESSION_DELETED = 0xC0000203

# what a CREATE ended by its tree's or session's end may answer (a
# LOGOFF ends the session's trees first), or success if it was done first
ABORTED = (s2.STATUS_SUCCESS, STATUS_NETWORK_NAME_DELETED,
           STATUS_USER_SESSION_DELETED)

DISPOSITIONS = [
    ("OVERWRITE_IF", s2.FILE_OVERWRITE_IF, FILE_WAS_OVERWRITTEN),
    ("OVERWRITE", FILE_OVERWRITE, FILE_WAS_OVERWRITTEN),
    ("SUPERSEDE", FILE_SUPERSEDE, FILE_WAS_SUPERSEDED),
]


def logged_on(src=None):
    c = s2.logged_on(PORT, USER, PASSWORD, credits=256, src=src)
    # no Nagle: a request goes out at once, not behind an ACK
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def prepare(c, name, size):
    """name of size bytes: made through the share (the server's own
    file), grown here in thousands of extents, for its truncate to take
    long enough to send a request during it (wgcheck). Its path."""
    path = os.path.join(SHARE, name)
    fid = c.create(name, disposition=s2.FILE_OVERWRITE_IF)
    c.close(fid)
    wgcheck.grow_slow_to_truncate(path, size)
    return path


def create_msg(c, name, disposition, share):
    return c.build(s2.CREATE, Conn.create_body(
        name, disposition=disposition, share=share,
        options=s2.FILE_NON_DIRECTORY_FILE))


def replies_of(c, mids, timeout=30, at_first=None):
    """The final replies to mids, {mid: Reply}, and the order in which
    their replies (interim ones as (mid, 'interim')) came. at_first, if
    given, is called once the first final reply is in."""
    final = {}
    order = []
    deadline = time.monotonic() + timeout
    while len(final) < len(mids):
        for r in c.recv(max(0.001, deadline - time.monotonic())):
            if r.mid not in mids:
                c.pending[r.mid] = r
            elif r.interim:
                order.append((r.mid, "interim"))
            else:
                final[r.mid] = r
                order.append((r.mid, "final"))
        if final and at_first is not None:
            at_first()
            at_first = None
    return final, order


def written_after(c, fid, path, what):
    """Write through fid, close it: the file holds just that."""
    c.write(fid, b"new")
    c.close(fid)
    with open(path, "rb") as f:
        got = f.read()
    expect(what + ": what is written after is all the file holds",
           got == b"new", "%d bytes on disk" % len(got))


def deny_round(c, other, label, disp, action):
    """One overwrite of a HUGE file that shares nothing and, sent with
    it, an open of the same file (on c, or on other if given). True if
    the open was answered while the overwrite's truncate ran."""
    what = "%s%s" % (label, " (open from another computer)"
                     if other is not None else "")
    name = "ovw2_%s%s.bin" % (label.lower(), "_x" if other else "")
    path = prepare(c, name, HUGE)
    mid1, m1 = create_msg(c, name, disp, 0)
    second = other if other is not None else c
    mid2, m2 = create_msg(second, name, s2.FILE_OPEN, s2.SHARE_ALL)
    f1 = struct.pack(">I", len(m1)) + m1
    f2 = struct.pack(">I", len(m2)) + m2
    if other is None:
        c.sock.sendall(f1 + f2)     # two frames, one send
        got, order = replies_of(c, (mid1, mid2))
        r1, r2 = got[mid1], got[mid2]
    else:
        c.sock.sendall(f1)
        time.sleep(0.002)   # mostly after the first is registered
        other.sock.sendall(f2)
        r2 = other.wait(mid2)
        # the first's reply not in yet when the second's is (only
        # informs: see share_modes_hold)
        early = not c.inbuf and not select.select([c.sock], [], [], 0)[0]
        got, order = replies_of(c, (mid1,))
        r1 = got[mid1]
        if early:
            order = [(mid2, "final")] + order
        if r1.status == STATUS_SHARING_VIOLATION and \
                r2.status == s2.STATUS_SUCCESS:
            # the other computer's loop was first: the overwrite must
            # wait for its close, nothing to see this time
            ok("%s: the other computer came first, the overwrite is "
               "SHARING_VIOLATION" % what)
            other.close(r2.body[64:80])
            os.unlink(path)
            return False, order + ["other first"]
    expect("%s: an open of the file meanwhile is SHARING_VIOLATION" % what,
           r2.status == STATUS_SHARING_VIOLATION, s2.status_name(r2.status))
    if r2.status == s2.STATUS_SUCCESS:
        second.close(r2.body[64:80])
    ok1 = r1.status == s2.STATUS_SUCCESS and len(r1.body) >= 88
    expect("%s of a 64 MiB file denying all succeeds" % what, ok1,
           s2.status_name(r1.status))
    if ok1:
        act, = struct.unpack_from("<I", r1.body, 4)
        eof, = struct.unpack_from("<Q", r1.body, 48)
        expect("%s: CreateAction %d" % (what, action), act == action,
               "CreateAction %d" % act)
        expect("%s: the reply says EndOfFile 0" % what, eof == 0,
               "EndOfFile %d" % eof)
        size = os.stat(path).st_size
        expect("%s: 0 bytes on disk" % what, size == 0, "%d bytes" % size)
        written_after(c, r1.body[64:80], path, what)
    os.unlink(path)
    # answered while the truncate ran: its reply (or an interim of the
    # first) came before the first's final reply
    return order[0] != (mid1, "final"), order


def share_modes_hold(c, other, label, disp, action):
    """deny_round until the open was answered during the truncate; from
    another computer TRIES_OTHER rounds (their reply order proves no
    timing: each loop writes its replies after it lets the state lock
    go, so a loop that truncated on it could still answer second)."""
    if other is not None:
        for i in range(TRIES_OTHER):
            d, _ = deny_round(c, other, label, disp, action)
            print("# %s from another computer, try %d: %s" %
                  (label, i + 1, "answered first" if d else
                   "answered after the overwrite"), flush=True)
        return
    during = False
    orders = []
    for i in range(TRIES):
        d, order = deny_round(c, other, label, disp, action)
        orders.append(order)
        print("# %s, try %d: answered %s" %
              (label, i + 1, "during the truncate" if d else "after it"),
              flush=True)
        if d:
            during = True
            break
    expect("%s: the conflicting open was answered while the overwrite "
           "truncated (share modes hold then)" % label, during,
           "answered after it %d times: %s" % (TRIES, orders))


def cache_round(c, lease):
    """An OVERWRITE_IF of a HUGE file that shares all and, in the same
    send(), an open of it asking a batch oplock (or an RWH lease). If
    the open was answered first (during the truncate) with a level II
    oplock (or a lease caching reads), that caching breaks once the
    truncate is done: (True, what broke) if it was answered first, else
    (False, None)."""
    what = "an open during the truncate %s" % ("with a lease" if lease
                                               else "asking an oplock")
    name = "ovw2_cache_%s.bin" % ("lease" if lease else "oplock")
    path = prepare(c, name, HUGE)
    mid1, m1 = create_msg(c, name, s2.FILE_OVERWRITE_IF, s2.SHARE_ALL)
    key = os.urandom(16)
    if lease:
        body = Conn.create_body(name, share=s2.SHARE_ALL,
                                oplock=s2.OPLOCK_LEASE,
                                contexts=[s2.rqls(key, s2.LEASE_R |
                                                  s2.LEASE_W | s2.LEASE_H)])
    else:
        body = Conn.create_body(name, share=s2.SHARE_ALL,
                                oplock=s2.OPLOCK_BATCH)
    mid2, m2 = c.build(s2.CREATE, body)
    c.breaks = []
    c.sock.sendall(struct.pack(">I", len(m1)) + m1 +
                   struct.pack(">I", len(m2)) + m2)
    # the file's blocks when the first reply came: most left, the
    # truncate had only begun to free them (a loop that waited for it,
    # in a stat of the file, answers near its end or after)
    full = os.stat(path).st_blocks
    blocks = []
    got, order = replies_of(c, (mid1, mid2), at_first=lambda: blocks.append(
        os.stat(path).st_blocks))
    r1, r2 = got[mid1], got[mid2]
    first = order[0][0] == mid2 and blocks[0] > full // 2
    expect("%s: both opens succeed" % what,
           r1.status == s2.STATUS_SUCCESS and
           r2.status == s2.STATUS_SUCCESS,
           "%s, %s" % (s2.status_name(r1.status),
                       s2.status_name(r2.status)))
    if r1.status != s2.STATUS_SUCCESS or r2.status != s2.STATUS_SUCCESS:
        os.unlink(path)
        return True, None
    fid2 = r2.body[64:80]
    if lease:
        held = s2.lease_state(s2.parse_contexts(r2)) or 0
        caches = held & s2.LEASE_R
    else:
        held = r2.body[2]
        caches = held != s2.OPLOCK_NONE
    broke = None
    if first and caches:
        # the break may be on its way: wait a little for it
        deadline = time.monotonic() + 2
        while not c.breaks and time.monotonic() < deadline:
            try:
                for r in c.recv(max(0.001, deadline - time.monotonic())):
                    c.pending[r.mid] = r
            except socket.timeout:
                break
        broke = held
        if lease:
            got_break = [b for b in c.breaks
                         if struct.unpack_from("<H", b.body, 0)[0] == 44 and
                         b.body[8:24] == key]
            new = struct.unpack_from("<I", got_break[0].body, 28)[0] \
                if got_break else held
            expect("%s: its lease (0x%x) loses read caching once the "
                   "truncate is done" % (what, held),
                   not new & s2.LEASE_R,
                   "no break; still 0x%x" % new if not got_break else
                   "broken to 0x%x" % new)
            if got_break and got_break[0].body[4] & 1:
                c.lease_ack(key, new)
        else:
            got_break = [b for b in c.breaks if b.body[8:24] == fid2]
            expect("%s: its level %d oplock breaks to none once the "
                   "truncate is done" % (what, held),
                   got_break and got_break[0].body[2] == s2.OPLOCK_NONE,
                   "no break" if not got_break else
                   "to level %d" % got_break[0].body[2])
    c.breaks = []
    c.close(fid2)
    c.close(r1.body[64:80])
    os.unlink(path)
    return first, broke


def caching_breaks(c, lease):
    """cache_round until the open came during the truncate."""
    for i in range(TRIES):
        first, broke = cache_round(c, lease)
        print("# cache %s, try %d: %s" % (
            "lease" if lease else "oplock", i + 1,
            "answered during the truncate, caching 0x%x" % broke
            if first and broke is not None else
            "answered during the truncate, no caching" if first else
            "answered after it"), flush=True)
        if first:
            break
    expect("an open %s came while the overwrite truncated" %
           ("with a lease" if lease else "asking an oplock"), first,
           "answered after it %d times" % TRIES)


def dropped(c, how):
    """A client that leaves (how: 'socket', 'late', 'tree', 'logoff')
    right after sending an OVERWRITE_IF of a HUGE file that shares
    nothing: it closes its socket at once, or once the truncate has begun,
    or sends a TREE_DISCONNECT or LOGOFF with it."""
    what = {"socket": "client gone (socket closed at once)",
            "late": "client gone (socket closed during the truncate)",
            "tree": "TREE_DISCONNECT behind it",
            "logoff": "LOGOFF behind it"}[how]
    name = "ovw2_drop_%s.bin" % how
    path = prepare(c, name, HUGE)
    d = logged_on(OTHER_SRC)
    mid1, m1 = create_msg(d, name, s2.FILE_OVERWRITE_IF, 0)
    mid2 = bigcut.leave(d, struct.pack(">I", len(m1)) + m1, how, path,
                        HUGE)
    bigcut.answers(c, what)
    if how in ("tree", "logoff"):
        got, _ = replies_of(d, (mid1, mid2))
        st1 = got[mid1].status
        expect(what + ": the overwrite answers (done or aborted)",
               st1 in ABORTED, s2.status_name(st1))
        expect(what + ": it answers",
               got[mid2].status == s2.STATUS_SUCCESS,
               s2.status_name(got[mid2].status))
        d.close_socket()
    bigcut.open_denying_all(c, name, what)
    bigcut.answers(c, what + ", afterwards")
    os.unlink(path)


def main():
    c = logged_on()
    for label, disp, action in DISPOSITIONS:
        share_modes_hold(c, None, label, disp, action)
    other = logged_on(OTHER_SRC)
    share_modes_hold(c, other, "OVERWRITE_IF", s2.FILE_OVERWRITE_IF,
                     FILE_WAS_OVERWRITTEN)
    other.close_socket()
    caching_breaks(c, False)
    caching_breaks(c, True)
    for how in ("socket", "late", "tree", "logoff"):
        dropped(c, how)
    return wgcheck.summary("test_smb2_overwrite.py")


if __name__ == "__main__":
    sys.exit(main())
