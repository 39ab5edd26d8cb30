#!/usr/bin/python3
"""test_shortname.py - a file opens by its 8.3 short name, as on Windows.

Run through run_all.sh as
    /usr/bin/python3 test_shortname.py PORT SHARE_DIR RO_DIR
"Long file name.txt" (and a directory "Long directory name") get their
short names from FileAlternateNameInformation; impacket opens and reads
the file by its short name (in lower case too, and through the
directory's short name), smbclient reads it by that name; a made-up name
of the same shape is not found, and the streams store has no short name
that opens it.
"""

import os
import struct
import subprocess
import sys

import wgcheck
from wgcheck import expect

from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3structs import SMB2_DIALECT_30, FILE_READ_DATA, FILE_OPEN

from test_streams import put, get, ALL

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
FileAlternateNameInformation = 21
BODY = b"reached by its short name\n"


def short_name(conn, tid, path, directory=False):
    fid = conn.createFile(tid, path, desiredAccess=0x80, shareMode=ALL,
                          creationOption=0x1 if directory else 0,
                          creationDisposition=FILE_OPEN)
    try:
        blob = conn._SMBConnection.queryInfo(
            tid, fid, fileInfoClass=FileAlternateNameInformation)
    finally:
        conn.closeFile(tid, fid)
    n = struct.unpack_from("<I", blob, 0)[0]
    return blob[4:4 + n].decode("utf-16-le")


def store_short_name():
    """The short name shortname.c would compute for ".wgsmb:streams"."""
    h = 2166136261
    for b in b".wgsmb:streams":
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return "WG%04X~%d" % (h & 0xFFFF, 1 + (h >> 16) % 9)


def not_found(conn, tid, path):
    try:
        conn.closeFile(tid, conn.createFile(tid, path, desiredAccess=0x80,
                                            shareMode=ALL,
                                            creationDisposition=FILE_OPEN))
        return "it opened"
    except SessionError as e:
        return e.getErrorCode()


def main():
    port = int(sys.argv[1])
    conn = SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree("demo")

    put(conn, tid, "Long file name.txt", BODY)
    conn.createDirectory("demo", "Long directory name")
    put(conn, tid, "Long directory name\\Another long name.txt", BODY)
    sn = short_name(conn, tid, "Long file name.txt")
    expect("FileAlternateNameInformation gives an 8.3 name with '~'",
           "~" in sn and len(sn) <= 12, repr(sn))
    expect("the file opens and reads by its short name",
           get(conn, tid, sn) == BODY, sn)
    expect("the short name opens it in lower case too",
           get(conn, tid, sn.lower()) == BODY, sn.lower())
    dsn = short_name(conn, tid, "Long directory name", directory=True)
    fsn = short_name(conn, tid, "Long directory name\\Another long name.txt")
    expect("a path of short names (directory and file) opens the file",
           get(conn, tid, dsn + "\\" + fsn) == BODY, dsn + "\\" + fsn)
    bogus = sn.split("~")[0][:2] + "0000~1.TXT"
    st = not_found(conn, tid, bogus if bogus.upper() != sn.upper()
                   else "ZZ0000~1.TXT")
    expect("a made-up short name is not found (OBJECT_NAME_NOT_FOUND)",
           st == 0xC0000034, repr(st))
    put(conn, tid, "Long file name.txt:s", b"so that the store exists")
    st = not_found(conn, tid, store_short_name())
    expect("no short name reaches the streams store (%s)" % store_short_name(),
           st == 0xC0000034, repr(st))
    out = subprocess.run(
        ["smbclient", "//%s/demo" % HOST, "-p", str(port), "-U",
         "%s%%%s" % (USER, PASSWORD), "-c", "get %s -" % sn],
        capture_output=True, timeout=60)
    expect("smbclient reads the file by its short name",
           BODY in out.stdout, (out.stdout + out.stderr).decode(errors="replace"))
    conn.logoff()
    return wgcheck.summary("shortname")


if __name__ == "__main__":
    sys.exit(main())
