#!/usr/bin/python3
"""test_setinfo_truncate.py - a SET_INFO that cuts a large file leaves the
event loop free while its truncate runs, raw SMB2.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_setinfo_truncate.py PORT SHARE_DIR RO_DIR

A SET_INFO FileEndOfFileInformation or FileAllocationInformation that
frees 1 MiB or more (fs/openpath.h SMBD_TRUNC_OFFLOAD_MIN) truncates on
a worker: ext4 frees a file's extents one by one, a quarter second for
the 64 MiB of thousands of extents made here (wgcheck
grow_slow_to_truncate), which on the loop would hold every other
connection it serves. The request goes async (interim STATUS_PENDING)
and answers with the truncate's result (smb2/cmd/setinfo.c
si_cut_start).

Two connections from the same address: one cuts the file (EndOfFile 0,
then AllocationSize 0, then EndOfFile 1 MiB + 7), the other sends an
ECHO about 5 ms later. No timing threshold: the ECHO's reply must come
while the file still holds more than half of its blocks (the truncate
is under way, not done). The SET_INFO succeeds, the file has the size
set, and what lay below the cut is intact. A small cut (64 KiB off
1 MiB, on the loop) answers too.

A CANCEL of a cut under way changes nothing: the cut answers with its
result (a truncate cannot be stopped). Then a client that leaves while
its cut runs: its socket closed right after the SET_INFO or once the
truncate has begun, a CLOSE, a TREE_DISCONNECT or a LOGOFF behind it.
The server keeps answering another connection, the file ends cut (or,
where the request was ended before a worker took its job up, which the
pool then drops, whole: never anything else), its open is closed (an
open that shares nothing gets in). Under ASan run_all.sh's checks of the
server log find leaks and memory errors.
"""

import os
import socket
import struct
import sys
import time

import wgcheck
import bigcut
from wgcheck import expect
import smb2raw as s2
from smb2raw import Conn

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
KIB = 1024
MIB = 1024 * KIB
HUGE = 64 * MIB
HEAD = 128 * KIB            # a known pattern at the start of the file
FILE_ALLOCATION_INFORMATION = 19
FILE_END_OF_FILE_INFORMATION = 20
STATUS_NETWORK_NAME_DELETED = 0xC00000C9
STATUS_USER_SESSION_DELETED = 0xC0000203
ABORTED = (s2.STATUS_SUCCESS, STATUS_NETWORK_NAME_DELETED,
           STATUS_USER_SESSION_DELETED)
CANCEL_BODY = struct.pack("<HH", 4, 0)
ECHO_BODY = struct.pack("<HH", 4, 0)

CUTS = [
    ("EndOfFile 0", FILE_END_OF_FILE_INFORMATION, 0),
    ("AllocationSize 0", FILE_ALLOCATION_INFORMATION, 0),
    ("EndOfFile 1 MiB + 7", FILE_END_OF_FILE_INFORMATION, MIB + 7),
]


def logged_on():
    c = s2.logged_on(PORT, USER, PASSWORD, credits=256, timeout=30)
    # no Nagle: a request goes out at once, not behind an ACK
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def prepare(c, name, size, slow=True):
    """name of size bytes through the share: a known pattern in its first
    HEAD bytes, then (slow) thousands of extents, for its truncate to
    take long enough to send a request during it (wgcheck). (path, its
    first min(size, 2 MiB) bytes)."""
    path = os.path.join(SHARE, name)
    fid = c.create(name, disposition=s2.FILE_OVERWRITE_IF)
    c.close(fid)
    return path, wgcheck.fill_for_cut(path, size, HEAD, slow)


def set_info_msg(c, fid, cls, size):
    return c.build(s2.SET_INFO,
                   Conn.set_info_body(fid, cls, struct.pack("<Q", size)))


def final_of(c, mid, timeout=30):
    """The final reply to mid and whether an interim came before it."""
    r = c.wait(mid, interim=True, timeout=timeout)
    if not r.interim:
        return r, False
    return c.wait(mid, timeout=timeout), True


def big_cut(a, b, label, cls, size):
    """a cuts a HUGE file to size by SET_INFO of class cls; b's ECHO,
    sent about 5 ms later, is answered while the file still holds more
    than half of its blocks."""
    what = "SET_INFO %s of a 64 MiB file" % label
    path, head = prepare(a, "cut_%d_%d.bin" % (cls, size), HUGE)
    fid = a.create(os.path.basename(path))
    blocks = os.stat(path).st_blocks
    mid, msg = set_info_msg(a, fid, cls, size)
    a.send_frame(msg)
    time.sleep(0.005)
    t0 = time.monotonic()
    b.wait(b.send(s2.ECHO, ECHO_BODY))
    t1 = time.monotonic()
    left = os.stat(path).st_blocks
    expect("%s: an ECHO on another connection is answered during the "
           "truncate" % what, left * 2 > blocks,
           "the file held %d of its %d blocks when the ECHO's reply came "
           "(%.1f ms): the truncate was over" %
           (left, blocks, (t1 - t0) * 1e3))
    print("# %s: the ECHO took %.1f ms, %d of %d blocks left then" %
          (what, (t1 - t0) * 1e3, left, blocks), flush=True)
    r, interim = final_of(a, mid)
    expect(what + " succeeds", r.status == s2.STATUS_SUCCESS,
           s2.status_name(r.status))
    print("# %s: %s an interim STATUS_PENDING" %
          (what, "after" if interim else "without"), flush=True)
    wgcheck.cut_intact(path, head, size, what)
    a.close(fid)
    os.unlink(path)


def compound_cut(a, b):
    """CREATE, SET_INFO EndOfFile 0 and CLOSE of a HUGE file in one
    related compound, as clients send them: the cut makes the rest of
    the chain wait for it (not an error), all three succeed, and b's
    ECHO is answered during the truncate."""
    what = "a compound CREATE, SET_INFO EndOfFile 0, CLOSE"
    path, _ = prepare(a, "cut_compound.bin", HUGE)
    blocks = os.stat(path).st_blocks
    any_fid = b"\xff" * 16
    mids, msgs = zip(
        a.build(s2.CREATE, Conn.create_body(os.path.basename(path))),
        a.build(s2.SET_INFO, Conn.set_info_body(
            any_fid, FILE_END_OF_FILE_INFORMATION, struct.pack("<Q", 0)),
            flags=s2.FLAG_RELATED),
        a.build(s2.CLOSE, Conn.close_body(any_fid), flags=s2.FLAG_RELATED))
    a.send_compound(list(msgs))
    time.sleep(0.005)
    b.wait(b.send(s2.ECHO, ECHO_BODY))
    left = os.stat(path).st_blocks
    expect("%s: an ECHO on another connection is answered during the "
           "truncate" % what, left * 2 > blocks,
           "the file held %d of its %d blocks then" % (left, blocks))
    got = [final_of(a, m)[0].status for m in mids]
    expect(what + ": all three succeed", got == [s2.STATUS_SUCCESS] * 3,
           ", ".join(s2.status_name(st) for st in got))
    size = os.stat(path).st_size
    expect(what + ": the file is 0 bytes", size == 0, "%d bytes" % size)
    os.unlink(path)


def small_cut(a):
    """64 KiB off a 1 MiB file: on the loop, answered as ever."""
    what = "SET_INFO EndOfFile of 64 KiB off a 1 MiB file"
    path, head = prepare(a, "cut_small.bin", MIB, slow=False)
    fid = a.create("cut_small.bin")
    mid, msg = set_info_msg(a, fid, FILE_END_OF_FILE_INFORMATION,
                            MIB - 64 * KIB)
    a.send_frame(msg)
    r, _ = final_of(a, mid)
    expect(what + " succeeds", r.status == s2.STATUS_SUCCESS,
           s2.status_name(r.status))
    wgcheck.cut_intact(path, head, MIB - 64 * KIB, what)
    a.close(fid)
    os.unlink(path)


def cancelled(a):
    """A CANCEL of a cut under way: answered with the cut's result."""
    what = "a CANCELled SET_INFO EndOfFile 0 of a 64 MiB file"
    path, head = prepare(a, "cut_cancel.bin", HUGE)
    fid = a.create("cut_cancel.bin")
    mid, msg = set_info_msg(a, fid, FILE_END_OF_FILE_INFORMATION, 0)
    a.send_frame(msg)
    r = a.wait(mid, interim=True)
    if r.interim:
        c = bytearray(a.header(s2.CANCEL, mid, charge=0, credits=0,
                               flags=s2.FLAG_ASYNC) + CANCEL_BODY)
        struct.pack_into("<Q", c, 32, r.async_id)
        a.send_frame(bytes(c))
        r = a.wait(mid)
    else:
        print("# %s: answered before any CANCEL could go" % what)
    expect(what + ": answered with the truncate's result (success)",
           r.status == s2.STATUS_SUCCESS, s2.status_name(r.status))
    wgcheck.cut_intact(path, head, 0, what)
    a.close(fid)
    os.unlink(path)


def ends_cut(path, what, maybe=False):
    """Within 10 s the file is 0 bytes and holds (almost) no blocks. With
    maybe, it may also be whole: a cut whose request ended before a
    worker took its job up is dropped (fs/workers.h), and the request
    was answered as aborted; nothing else, though."""
    deadline = time.monotonic() + 10
    st = os.stat(path)
    while (st.st_size != 0 or st.st_blocks > 8) and \
            time.monotonic() < deadline:
        if maybe and st.st_size == HUGE:
            time.sleep(0.5)     # a truncate would have begun by then
            st = os.stat(path)
            if st.st_size == HUGE:
                break
        time.sleep(0.02)
        st = os.stat(path)
    cut = st.st_size == 0 and st.st_blocks <= 8
    if maybe:
        print("# %s: the file ends %s" % (what, "cut" if cut else
                                          "whole" if st.st_size == HUGE
                                          else "%d bytes" % st.st_size),
              flush=True)
        expect(what + ": the file ends cut or whole", cut or
               st.st_size == HUGE,
               "%d bytes, %d blocks" % (st.st_size, st.st_blocks))
        return
    expect(what + ": the file ends cut", cut,
           "%d bytes, %d blocks" % (st.st_size, st.st_blocks))


def dropped(c, how):
    """A client that leaves (how: 'socket', 'late', 'close', 'tree',
    'logoff') right after sending a SET_INFO EndOfFile 0 of a HUGE file:
    it closes its socket at once or once the truncate has begun, or
    sends a CLOSE, TREE_DISCONNECT or LOGOFF with it. The ones that end
    the request may end it before its job started: the file is then
    whole, and the SET_INFO answered as aborted."""
    what = {"socket": "client gone right after its cut",
            "late": "client gone during its cut",
            "close": "CLOSE behind the cut",
            "tree": "TREE_DISCONNECT behind the cut",
            "logoff": "LOGOFF behind the cut"}[how]
    name = "cut_drop_%s.bin" % how
    path, _ = prepare(c, name, HUGE)
    d = logged_on()
    fid = d.create(name, share=0)
    mid1, m1 = set_info_msg(d, fid, FILE_END_OF_FILE_INFORMATION, 0)
    mid2 = bigcut.leave(d, struct.pack(">I", len(m1)) + m1, how, path,
                        HUGE, fid)
    bigcut.answers(c, what)
    r1 = None
    if how not in ("socket", "late"):
        r1 = d.wait(mid1)
        r2 = d.wait(mid2)
        want = (s2.STATUS_SUCCESS,) if how == "close" else ABORTED
        expect(what + ": the cut answers (done or aborted)",
               r1.status in want, s2.status_name(r1.status))
        expect(what + ": it answers", r2.status == s2.STATUS_SUCCESS,
               s2.status_name(r2.status))
        d.close_socket()
    ends_cut(path, what, maybe=how == "socket" or (
        r1 is not None and r1.status != s2.STATUS_SUCCESS))
    bigcut.open_denying_all(c, name, what)
    bigcut.answers(c, what + ", afterwards")
    os.unlink(path)


def main():
    a = logged_on()
    b = logged_on()
    for label, cls, size in CUTS:
        big_cut(a, b, label, cls, size)
    compound_cut(a, b)
    small_cut(a)
    cancelled(a)
    b.close_socket()
    for how in ("socket", "late", "close", "tree", "logoff"):
        dropped(a, how)
    return wgcheck.summary("test_setinfo_truncate.py")


if __name__ == "__main__":
    sys.exit(main())
