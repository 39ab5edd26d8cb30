#!/usr/bin/python3
"""test_streams.py - alternate data streams with real clients.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_streams.py PORT SHARE_DIR RO_DIR
impacket writes a browser's Zone.Identifier stream
("[ZoneTransfer]\\r\\nZoneId=3\\r\\n") on a file, lists it with
FileStreamInformation (::$DATA first, with the file's size) and reads it
back; a 10 MiB stream (a macOS resource fork's size) is written and read
back byte-exact; the store of streams is neither listed nor reachable by
name; deleting the file removes its streams from the store; smbclient's
`allinfo` shows the streams; a watcher of the folder (CHANGE_NOTIFY with
the STREAM_NAME/SIZE/WRITE filter) gets ADDED_STREAM, MODIFIED_STREAM and
REMOVED_STREAM for "file:stream" as a stream is created, written and
deleted.
"""

import os
import struct
import subprocess
import sys

import wgcheck
from wgcheck import ok, fail, expect

from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3structs import (SMB2_DIALECT_30, FILE_READ_DATA,
                                  FILE_WRITE_DATA, FILE_SHARE_READ,
                                  FILE_SHARE_WRITE, FILE_SHARE_DELETE,
                                  FILE_OPEN, FILE_OPEN_IF, FILE_OVERWRITE_IF,
                                  FILE_NON_DIRECTORY_FILE)

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
ZONE = b"[ZoneTransfer]\r\nZoneId=3\r\n"
BASE = b"downloaded file body\n"
FileStreamInformation = 22
ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
RW = FILE_READ_DATA | FILE_WRITE_DATA | 0x00120080  # + READ_ATTRS/CONTROL
DELETE = 0x00010000


def streams_of(conn, tid, fid):
    """FileStreamInformation as [(name, size)], in the server's order."""
    blob = conn._SMBConnection.queryInfo(tid, fid, fileInfoClass=FileStreamInformation)
    out, off = [], 0
    while True:
        nxt, nlen, size, _alloc = struct.unpack_from("<IIQQ", blob, off)
        name = blob[off + 24:off + 24 + nlen].decode("utf-16-le")
        out.append((name, size))
        if nxt == 0:
            return out
        off += nxt


def put(conn, tid, path, data, disp=FILE_OVERWRITE_IF):
    fid = conn.createFile(tid, path, desiredAccess=RW, shareMode=ALL,
                          creationOption=FILE_NON_DIRECTORY_FILE,
                          creationDisposition=disp)
    off = 0
    while off < len(data):
        n = conn.writeFile(tid, fid, data[off:off + 65536], off)
        off += n
    conn.closeFile(tid, fid)


def get(conn, tid, path):
    fid = conn.createFile(tid, path, desiredAccess=FILE_READ_DATA | 0x80,
                          shareMode=ALL, creationDisposition=FILE_OPEN)
    out = b""
    while True:
        chunk = conn.readFile(tid, fid, len(out), 65536)
        if not chunk:
            break
        out += chunk
    conn.closeFile(tid, fid)
    return out


def store_entries(share_dir):
    store = os.path.join(share_dir, ".wgsmb:streams")
    if not os.path.isdir(store):
        return []
    return sorted(os.listdir(store))


FILE_NOTIFY_STREAMS = 0x200 | 0x400 | 0x800   # STREAM_NAME, _SIZE, _WRITE
ADDED_STREAM, REMOVED_STREAM, MODIFIED_STREAM = 6, 7, 8


def notify_send(conn, tid, fid, flt):
    from impacket.smb3structs import SMB2_CHANGE_NOTIFY, SMB2ChangeNotify
    smb = conn._SMBConnection
    pkt = smb.SMB_PACKET()
    pkt['Command'] = SMB2_CHANGE_NOTIFY
    pkt['TreeID'] = tid
    req = SMB2ChangeNotify()
    req['OutputBufferLength'] = 65536
    req['FileID'] = fid
    req['CompletionFilter'] = flt
    pkt['Data'] = req
    return smb.sendSMB(pkt)


def notify_recv(conn, mid):
    """[(action, name)] of one CHANGE_NOTIFY answer."""
    ans = conn._SMBConnection.recvSMB(mid)
    out = []
    if ans['Status'] != 0:
        return [("status", ans['Status'])]
    data = ans['Data']
    off, length = struct.unpack_from("<HI", data, 2)
    buf = data[off - 64:off - 64 + length]
    pos = 0
    while length > 0 and pos < len(buf):
        nxt, action, nlen = struct.unpack_from("<III", buf, pos)
        out.append((action, buf[pos + 12:pos + 12 + nlen].decode("utf-16-le")))
        if nxt == 0:
            break
        pos += nxt
    return out


def test_notify(conn, tid, port):
    """A watcher of the folder sees streams come, change and go."""
    w = SMBConnection(HOST, HOST, sess_port=port,
                      preferredDialect=SMB2_DIALECT_30, timeout=15)
    w.login(USER, PASSWORD)
    wtid = w.connectTree("demo")
    put(conn, tid, "nf.txt", BASE)
    dfid = w.createFile(wtid, "", desiredAccess=0x1 | 0x80, shareMode=ALL,
                        creationOption=0x1, creationDisposition=FILE_OPEN)
    steps = [
        ("creating a stream", ADDED_STREAM,
         lambda: conn.closeFile(tid, conn.createFile(
             tid, "nf.txt:watched", desiredAccess=RW, shareMode=ALL,
             creationDisposition=FILE_OPEN_IF))),
        ("writing a stream", MODIFIED_STREAM,
         lambda: put(conn, tid, "nf.txt:watched", b"data", FILE_OPEN)),
        ("deleting a stream", REMOVED_STREAM,
         lambda: conn.deleteFile("demo", "nf.txt:watched")),
    ]
    for what, action, act in steps:
        mid = notify_send(w, wtid, dfid, FILE_NOTIFY_STREAMS)
        act()
        try:
            got = notify_recv(w, mid)
        except Exception as e:  # no answer: the change was not reported
            got = repr(e)
        expect("CHANGE_NOTIFY reports %s as action %d on nf.txt:watched"
               % (what, action), isinstance(got, list) and
               (action, "nf.txt:watched") in got, repr(got))
    w.closeFile(wtid, dfid)
    w.logoff()


def main():
    port = int(sys.argv[1])
    share_dir = sys.argv[2]
    conn = SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree("demo")

    put(conn, tid, "zone.txt", BASE)
    put(conn, tid, "zone.txt:Zone.Identifier:$DATA", ZONE)
    fid = conn.createFile(tid, "zone.txt", desiredAccess=FILE_READ_DATA | 0x80,
                          shareMode=ALL, creationDisposition=FILE_OPEN)
    lst = streams_of(conn, tid, fid)
    conn.closeFile(tid, fid)
    expect("FileStreamInformation lists ::$DATA first with the file's size, "
           "then the Zone.Identifier stream",
           lst == [("::$DATA", len(BASE)),
                   (":Zone.Identifier:$DATA", len(ZONE))], repr(lst))
    got = get(conn, tid, "zone.txt:zone.identifier")
    expect("the Zone.Identifier stream reads back (name in another case)",
           got == ZONE, repr(got))
    expect("the file's own data is untouched", get(conn, tid, "zone.txt") == BASE, "differs")
    expect("::$DATA names the file itself",
           get(conn, tid, "zone.txt::$DATA") == BASE, "differs")

    big = os.urandom(10 * 1024 * 1024)
    put(conn, tid, "zone.txt:AFP_Resource", big)
    got = get(conn, tid, "zone.txt:AFP_Resource")
    expect("a 10 MiB stream reads back byte-exact", got == big,
           "%d bytes, first difference at %s" % (
               len(got), next((i for i in range(min(len(got), len(big)))
                               if got[i] != big[i]), "end")))

    names = [f.get_longname() for f in conn.listPath("demo", "*")]
    expect("the streams store is not listed",
           not any(":" in n or n.startswith(".wgsmb") for n in names),
           repr(names))
    try:
        conn.createFile(tid, ".wgsmb:streams", creationDisposition=FILE_OPEN)
        fail("the streams store cannot be opened by name", "it opened")
    except SessionError as e:
        ok("the streams store cannot be opened by name (0x%08x)"
           % e.getErrorCode())

    allinfo = subprocess.run(
        ["smbclient", "//%s/demo" % HOST, "-p", str(port), "-U",
         "%s%%%s" % (USER, PASSWORD), "-c", "allinfo zone.txt"],
        capture_output=True, text=True, timeout=60)
    expect("smbclient allinfo shows the streams",
           "stream: [:Zone.Identifier:$DATA], %d bytes" % len(ZONE)
           in allinfo.stdout and
           "stream: [:AFP_Resource:$DATA], %d bytes" % len(big)
           in allinfo.stdout, allinfo.stdout + allinfo.stderr)

    expect("the store holds the file's streams", len(store_entries(share_dir)) == 1,
           repr(store_entries(share_dir)))
    conn.deleteFile("demo", "zone.txt")
    expect("deleting the file removes its streams from the store",
           store_entries(share_dir) == [], repr(store_entries(share_dir)))
    test_notify(conn, tid, port)
    conn.logoff()
    return wgcheck.summary("streams")


if __name__ == "__main__":
    sys.exit(main())
