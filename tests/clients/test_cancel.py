#!/usr/bin/python3
"""test_cancel.py - CANCEL of every request that goes pending, raw SMB2.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_cancel.py PORT SHARE_DIR RO_DIR
A CHANGE_NOTIFY with nothing to report, a blocking LOCK on a locked
range and a READ of an empty named pipe each get an interim
STATUS_PENDING at once; a CANCEL naming the request (by AsyncId, or by
MessageId without the async flag) ends it with STATUS_CANCELLED and gets
no reply of its own [MS-SMB2 3.3.5.16]; a CANCEL naming nothing changes
nothing. After each, an ECHO's reply is the next frame: nothing stray
came in between, and the connection still works.
"""

import struct
import sys

import wgcheck
from wgcheck import ok, fail, expect
import smb2raw as s2

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
STATUS_CANCELLED = 0xC0000120
CANCEL_BODY = struct.pack("<HH", 4, 0)


def logged_on(share="demo"):
    return s2.logged_on(PORT, USER, PASSWORD, share, credits=32,
                        timeout=10)


def interim(c, what, cmd, body, **kw):
    """Send one request; its interim reply (None after a fail)."""
    mid = c.send(cmd, body, **kw)
    r = c.wait(mid, interim=True, timeout=5)
    if not r.interim:
        fail(what + " goes pending", s2.status_name(r.status))
        return None
    ok(what + " goes pending")
    return r


def quiet(c, what):
    """The next frame is the ECHO's: no reply came in between."""
    mid = c.send(s2.ECHO, struct.pack("<HH", 4, 0))
    reps = c.recv(timeout=5)
    expect(what + ": the next reply is the ECHO's",
           len(reps) == 1 and reps[0].mid == mid and
           reps[0].command == s2.ECHO,
           "got %s" % [(hex(r.command), r.mid, s2.status_name(r.status))
                       for r in reps])


def cancel_by_async(c, what, pend):
    """CANCEL pend by a wrong AsyncId (nothing), then the right one."""
    # a wrong id: the header's AsyncId is where TreeId and Reserved are
    wrong = bytearray(c.header(s2.CANCEL, pend.mid, charge=0, credits=0,
                               flags=s2.FLAG_ASYNC) + CANCEL_BODY)
    struct.pack_into("<Q", wrong, 32, pend.async_id + 1000)
    c.send_frame(bytes(wrong))
    quiet(c, what + ", a CANCEL naming nothing")
    right = bytearray(c.header(s2.CANCEL, pend.mid, charge=0, credits=0,
                               flags=s2.FLAG_ASYNC) + CANCEL_BODY)
    struct.pack_into("<Q", right, 32, pend.async_id)
    c.send_frame(bytes(right))
    r = c.wait(pend.mid, timeout=5)
    expect(what + " ends CANCELLED", r.status == STATUS_CANCELLED,
           s2.status_name(r.status))
    expect(what + ": the final reply carries the AsyncId",
           r.flags & s2.FLAG_ASYNC and r.async_id == pend.async_id,
           "flags 0x%x async_id %d" % (r.flags, r.async_id))
    quiet(c, what + " cancelled")


def test_notify():
    c = logged_on()
    fid = c.open_dir("")
    pend = interim(c, "CHANGE_NOTIFY", s2.CHANGE_NOTIFY,
                   c.change_notify_body(fid))
    if pend:
        cancel_by_async(c, "CHANGE_NOTIFY", pend)
    # by MessageId, the way a client that has not seen the interim does
    pend = interim(c, "a second CHANGE_NOTIFY", s2.CHANGE_NOTIFY,
                   c.change_notify_body(fid))
    if pend:
        c.send(s2.CANCEL, CANCEL_BODY, mid=pend.mid, charge=0, credits=0)
        r = c.wait(pend.mid, timeout=5)
        expect("CHANGE_NOTIFY cancelled by MessageId",
               r.status == STATUS_CANCELLED, s2.status_name(r.status))
        quiet(c, "CHANGE_NOTIFY cancelled by MessageId")
    c.close(fid)
    c.close_socket()


def test_lock():
    a = logged_on()
    b = logged_on()
    fa = a.create("cancel-lock.bin", disposition=s2.FILE_OVERWRITE_IF)
    fb = b.create("cancel-lock.bin")
    a.call(s2.LOCK, a.lock_body(fa, 0, 10), what="LOCK")
    pend = interim(b, "a blocking LOCK", s2.LOCK,
                   b.lock_body(fb, 0, 10, flags=s2.LOCK_EXCLUSIVE))
    if pend:
        cancel_by_async(b, "a blocking LOCK", pend)
    # the cancelled wait is gone: unlocking grants nobody
    a.call(s2.LOCK, a.lock_body(fa, 0, 10, flags=s2.LOCK_UNLOCK),
           what="UNLOCK")
    r = b.call(s2.LOCK, b.lock_body(fb, 0, 10), ok=None)
    expect("the range is free after the cancelled wait",
           r.status == s2.STATUS_SUCCESS, s2.status_name(r.status))
    quiet(a, "the holder")
    b.close(fb)
    a.close(fa)
    a.close_socket()
    b.close_socket()


def test_pipe_read():
    c = logged_on("IPC$")
    fid = c.create("srvsvc", access=s2.FILE_READ_DATA | s2.FILE_WRITE_DATA,
                   options=0)
    pend = interim(c, "a READ of an empty pipe", s2.READ,
                   c.read_body(fid, 0, 1024))
    if pend:
        cancel_by_async(c, "a READ of an empty pipe", pend)
    c.close(fid)
    c.close_socket()


def main():
    for t in (test_notify, test_lock, test_pipe_read):
        try:
            t()
        except Exception as e:  # noqa: BLE001 - one FAIL line, go on
            fail(t.__name__, "%s: %s" % (type(e).__name__, e))
    return wgcheck.summary("test_cancel")


if __name__ == "__main__":
    sys.exit(main())
