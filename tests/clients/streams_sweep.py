#!/usr/bin/python3
"""streams_sweep.py - orphaned streams (run by test_streams_sweep.sh as
    /usr/bin/python3 streams_sweep.py PORT SHARE_DIR RO_DIR WGNET CONF
against a daemon with `streams sweep interval = 1s`).

A file given a stream over SMB and then removed on disk (rm): a new
file on the same inode lists no streams; the per-file directory of the
store goes within seconds and `wgnet statistics` counts its stream; a
file kept, and one renamed on disk into a subdirectory, keep theirs
through many sweeps.
"""

import json
import os
import subprocess
import sys
import time

import wgcheck
from wgcheck import expect, find_key

from test_streams import put, get, streams_of, ALL
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import SMB2_DIALECT_30, FILE_READ_DATA, FILE_OPEN

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
WGNET = CONF = None


def wgnet(*args):
    p = subprocess.run([WGNET, "-c", CONF] + list(args) + ["--json"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    return json.loads(p.stdout) if p.returncode == 0 else None


def key_of(path):
    st = os.stat(path)
    return "%x-%x" % (st.st_dev, st.st_ino)


def store_has(share, key):
    return os.path.isdir(os.path.join(share, ".wgsmb:streams", key))


def listed(conn, tid, path):
    fid = conn.createFile(tid, path, desiredAccess=FILE_READ_DATA | 0x80,
                          shareMode=ALL, creationDisposition=FILE_OPEN)
    try:
        return [n for n, _ in streams_of(conn, tid, fid)]
    finally:
        conn.closeFile(tid, fid)


def main():
    global WGNET, CONF
    port, share = int(sys.argv[1]), sys.argv[2]
    WGNET, CONF = sys.argv[4], sys.argv[5]
    conn = SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree("demo")

    # a new file on the inode of one removed by rm: none of its streams
    # (another process on the machine may take the freed inode first:
    # a build writing to the same file system did, five rounds running;
    # the round is tried again, with new names, up to twenty times)
    reused = None
    for r in range(20):
        old = "old%d.txt" % r
        put(conn, tid, old, b"old")
        put(conn, tid, old + ":secret", b"old stream")
        ino = os.stat(os.path.join(share, old)).st_ino
        os.unlink(os.path.join(share, old))
        for i in range(64):
            name = "new%d-%d.txt" % (r, i)
            with open(os.path.join(share, name), "wb") as f:
                f.write(b"new")
            if os.stat(os.path.join(share, name)).st_ino == ino:
                reused = name
                break
        if reused is not None:
            break
    expect("a new file reuses the removed file's inode (ext4 does)",
           reused is not None, "inode %d not reused" % ino)
    if reused is not None:
        lst = listed(conn, tid, reused)
        expect("the new file on the reused inode has no streams",
               lst == ["::$DATA"], repr(lst))
        try:
            get(conn, tid, reused + ":secret")
            expect("the old file's stream cannot be opened on the new one",
                   False, "it opened")
        except Exception:
            expect("the old file's stream cannot be opened on the new one",
                   True, "")

    # streams of a live file, and of one renamed on disk, stay
    put(conn, tid, "keep.txt", b"keep")
    put(conn, tid, "keep.txt:s", b"kept stream")
    put(conn, tid, "moved.txt", b"moved")
    put(conn, tid, "moved.txt:s", b"moved stream")
    os.mkdir(os.path.join(share, "sub"))
    os.rename(os.path.join(share, "moved.txt"),
              os.path.join(share, "sub", "moved.txt"))

    # a file removed by rm: its streams' space comes back
    put(conn, tid, "gone.txt", b"gone")
    put(conn, tid, "gone.txt:a", b"a" * 100000)
    put(conn, tid, "gone.txt:b", b"b")
    gone = key_of(os.path.join(share, "gone.txt"))
    expect("the store holds the streams of gone.txt", store_has(share, gone), gone)
    os.unlink(os.path.join(share, "gone.txt"))
    deadline = time.time() + 20
    while time.time() < deadline and store_has(share, gone):
        time.sleep(0.5)
    expect("the sweep removes the streams of a file removed by rm",
           not store_has(share, gone), "still there after 20 s")
    n = find_key(wgnet("statistics") or {}, "streams_reclaimed")
    expect("wgnet statistics counts the reclaimed streams",
           isinstance(n, int) and n >= 2, repr(n))
    time.sleep(3)   # more sweeps
    expect("a live file keeps its stream through the sweeps",
           get(conn, tid, "keep.txt:s") == b"kept stream", "lost")
    expect("a file renamed on disk keeps its stream through the sweeps",
           get(conn, tid, "sub\\moved.txt:s") == b"moved stream", "lost")
    conn.logoff()
    return wgcheck.summary("streams_sweep")


if __name__ == "__main__":
    sys.exit(main())
