"""Helpers of the raw-SMB2 tests in which one client's big file is cut
(truncated) while the server goes on serving others:
test_smb2_overwrite.py, test_setinfo_truncate.py. The file itself comes
from wgcheck.grow_slow_to_truncate."""

import os
import socket
import struct
import time

from wgcheck import ok, fail, expect
import smb2raw as s2
from smb2raw import Conn


def truncating(path, size, timeout=10):
    """Wait until the file at path is no longer size bytes: a worker's
    truncate has begun (it sets the size first, then frees the blocks)."""
    deadline = time.monotonic() + timeout
    while os.stat(path).st_size == size and time.monotonic() < deadline:
        pass


def open_denying_all(c, name, what):
    """Until it gets in (10 s): an open of name that shares nothing."""
    deadline = time.monotonic() + 10
    st = None
    while time.monotonic() < deadline:
        r = c.call(s2.CREATE, Conn.create_body(
            name, disposition=s2.FILE_OPEN, share=0,
            options=s2.FILE_NON_DIRECTORY_FILE), ok=None)
        st = r.status
        if st == s2.STATUS_SUCCESS:
            c.close(r.body[64:80])
            break
        time.sleep(0.05)
    expect(what + ": its open is closed (an open denying all gets in)",
           st == s2.STATUS_SUCCESS, s2.status_name(st))


def answers(c, what):
    """c (another connection) gets an ECHO answered."""
    try:
        c.echo(timeout=5)
        ok(what + ": the server answers another connection")
    except (s2.Closed, socket.timeout, s2.Failed) as e:
        fail(what + ": the server answers another connection", str(e))


def leave(d, frames, how, path, size, fid=None):
    """Send frames (a big cut's request, framed) on d and leave as how
    says: 'socket' closes the socket at once, 'late' once the truncate
    of the file at path (size bytes) has begun; 'close' (of fid),
    'tree' and 'logoff' send a CLOSE, TREE_DISCONNECT or LOGOFF in the
    same send. The MessageId of that request, or None."""
    if how in ("socket", "late"):
        d.sock.sendall(frames)
        if how == "late":
            truncating(path, size)
        d.close_socket()
        return None
    if how == "close":
        mid, msg = d.build(s2.CLOSE, Conn.close_body(fid))
    else:
        cmd = s2.TREE_DISCONNECT if how == "tree" else s2.LOGOFF
        mid, msg = d.build(cmd, struct.pack("<HH", 4, 0))
    d.sock.sendall(frames + struct.pack(">I", len(msg)) + msg)
    return mid
