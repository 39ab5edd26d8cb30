#!/usr/bin/python3
"""test_release_big.py - a big file that loses its last name lets go of
its disk space on a worker, not on the event loop, raw SMB2.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_release_big.py PORT SHARE_DIR RO_DIR

When a file's last name goes and nothing holds it open, the kernel
frees its extents in that same call: the unlink, the rename that
replaces it, or the last close. ext4 frees them one by one, a quarter
second for the 64 MiB of thousands of extents made here (wgcheck
grow_slow_to_truncate). The server keeps its own descriptor of such a
file across the unlink (delete on close) or the rename over it (an
O_PATH one) and closes it on a worker (fs/openpath.h smbd_fd_is_big,
smbd_workers_close_fd), so that every other connection of the loop is
answered meanwhile.

Two connections from the same address: one deletes a big file on close,
or renames another file over a big one; the other sends an ECHO about
5 ms later. Its answer must take less than half as long as freeing such
a file takes here: the test times a truncate of a file made the same way
first, in this run (a ratio on this machine, not a fixed time). A loop
that freed the file itself answers the ECHO only when it is done. Up
to 3 tries each on a busy machine. Then: the name is gone (or names the
renamed file, whole), and a small file's delete on close answers too.
"""

import os
import socket
import struct
import sys
import time

import wgcheck
from wgcheck import fail, expect
import smb2raw as s2

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
MIB = 1024 * 1024
HUGE = 64 * MIB
TRIES = 3
DELETE_ACCESS = s2.RW_ACCESS | s2.DELETE
FILE_RENAME_INFORMATION = 10
ECHO_BODY = struct.pack("<HH", 4, 0)


def logged_on():
    c = s2.logged_on(PORT, USER, PASSWORD, credits=256, timeout=30)
    # no Nagle: a request goes out at once, not behind an ACK
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def big(c, name):
    """name: a file of HUGE bytes in thousands of extents, made through
    the share (the server's own file). Its path."""
    path = os.path.join(SHARE, name)
    c.close(c.create(name, disposition=s2.FILE_OVERWRITE_IF))
    wgcheck.grow_slow_to_truncate(path, HUGE)
    return path


def freeing_takes():
    """Seconds this machine takes to free a file made as big() makes
    one (a truncate of it here)."""
    path = os.path.join(SHARE, "reference.bin")
    with open(path, "wb"):
        pass
    wgcheck.grow_slow_to_truncate(path, HUGE)
    fd = os.open(path, os.O_WRONLY)
    start = time.monotonic()
    os.ftruncate(fd, 0)
    took = time.monotonic() - start
    os.close(fd)
    os.unlink(path)
    return took


def echo_during(a, b, mid):
    """Send an ECHO on b about 5 ms after a's request mid: (seconds the
    ECHO took, a's reply)."""
    time.sleep(0.005)
    start = time.monotonic()
    b.wait(b.send(s2.ECHO, ECHO_BODY))
    took = time.monotonic() - start
    return took, a.wait(mid, timeout=30)


def delete_on_close(a, b, ref):
    """Delete on close of a big file: (ECHO seconds, CLOSE status)."""
    path = big(a, "doc_big.bin")
    fid = a.create("doc_big.bin", access=DELETE_ACCESS,
                   options=s2.FILE_DELETE_ON_CLOSE)
    took, r = echo_during(a, b, a.send(s2.CLOSE, a.close_body(fid)))
    expect("delete on close of a 64 MiB file: the CLOSE succeeds",
           r.status == s2.STATUS_SUCCESS, s2.status_name(r.status))
    expect("delete on close of a 64 MiB file: the name is gone",
           not os.path.exists(path), "still there")
    return took


def rename_over(a, b, ref):
    """A rename replacing a big file: (ECHO seconds)."""
    path = big(a, "ro_target.bin")
    fid = a.create("ro_src.bin", access=DELETE_ACCESS,
                   disposition=s2.FILE_OVERWRITE_IF)
    a.write(fid, b"renamed")
    body = a.set_info_body(fid, FILE_RENAME_INFORMATION,
                           a.rename_info("ro_target.bin", True))
    took, r = echo_during(a, b, a.send(s2.SET_INFO, body))
    expect("a rename over a 64 MiB file succeeds",
           r.status == s2.STATUS_SUCCESS, s2.status_name(r.status))
    a.close(fid)
    with open(path, "rb") as f:
        expect("a rename over a 64 MiB file: the name holds the renamed "
               "file", f.read() == b"renamed", "other contents")
    os.unlink(path)
    return took


def answered_meanwhile(what, case, a, b, ref):
    """case's ECHO took less than half of ref, in one of TRIES tries."""
    seen = []
    for _ in range(TRIES):
        took = case(a, b, ref)
        seen.append("%.1f ms" % (took * 1000))
        if took < ref / 2:
            break
    print("# %s: ECHO on another connection took %s; freeing such a file "
          "takes %.1f ms here" % (what, ", ".join(seen), ref * 1000),
          flush=True)
    expect("%s: another connection is answered while the file's space "
           "is freed" % what, took < ref / 2,
           "ECHO %s, freeing %.1f ms" % (", ".join(seen), ref * 1000))


def small_delete(a):
    path = os.path.join(SHARE, "doc_small.bin")
    fid = a.create("doc_small.bin", access=DELETE_ACCESS,
                   disposition=s2.FILE_OVERWRITE_IF,
                   options=s2.FILE_DELETE_ON_CLOSE)
    a.write(fid, b"x" * 4096)
    a.close(fid)
    expect("delete on close of a small file: the name is gone",
           not os.path.exists(path), "still there")


def main():
    a = logged_on()
    b = logged_on()
    ref = freeing_takes()
    if ref < 0.02:
        fail("this share's file system", "frees a file of thousands of "
             "extents in %.1f ms: nothing to see (not ext4?)" % (ref * 1000))
        return wgcheck.summary("test_release_big.py")
    answered_meanwhile("delete on close of a 64 MiB file", delete_on_close,
                       a, b, ref)
    answered_meanwhile("a rename over a 64 MiB file", rename_over, a, b, ref)
    small_delete(a)
    r = b.wait(b.send(s2.ECHO, ECHO_BODY))
    expect("the server still answers", r.status == s2.STATUS_SUCCESS,
           s2.status_name(r.status))
    a.close_socket()
    b.close_socket()
    return wgcheck.summary("test_release_big.py")


if __name__ == "__main__":
    sys.exit(main())
