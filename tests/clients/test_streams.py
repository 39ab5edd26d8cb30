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
`allinfo` shows the streams.
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
    conn.logoff()
    return wgcheck.summary("streams")


if __name__ == "__main__":
    sys.exit(main())
