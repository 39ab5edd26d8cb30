#!/usr/bin/python3
"""test_ea.py - extended attributes, 8.3 names and object ids through
impacket's SMB2 client.

Run by run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_ea.py PORT SHARE_DIR RO_DIR

EAs: given in CREATE's ExtA context and by SET_INFO FileFullEaInformation,
read back by QUERY_INFO (all of them, and by a name list that also names
one that is not there), names returned upper-cased, EaSize matching the
list, kept on disk as user.wgsmb.ea.<NAME>, deleted by an empty value;
a bad name, a kernel EA and a list over 64 KiB are refused with Windows'
statuses. Short names: FileAlternateNameInformation agrees with the
directory listing's ShortName. Object ids: CREATE_OR_GET is stable, GET
agrees, DELETE removes it.
"""

import os
import re
import struct
import sys

import wgcheck
from wgcheck import ok, fail, expect

from impacket.smbconnection import SMBConnection
from impacket.smb3 import SessionError
from impacket.smb3structs import (SMB2_DIALECT_30, FILE_READ_DATA,
                                  FILE_WRITE_DATA, FILE_SHARE_READ,
                                  FILE_SHARE_WRITE, FILE_OVERWRITE_IF,
                                  FILE_NON_DIRECTORY_FILE)

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
FILE_READ_EA, FILE_WRITE_EA = 0x08, 0x10
FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES = 0x80, 0x100
FileEaInformation, FileFullEaInformation = 7, 15
FileAlternateNameInformation = 21
FileIdBothDirectoryInformation = 37
SL_RESTART_SCAN, SL_RETURN_SINGLE_ENTRY = 1, 2
FSCTL_CREATE_OR_GET_OBJECT_ID = 0x000900C0
FSCTL_GET_OBJECT_ID = 0x0009009C
FSCTL_DELETE_OBJECT_ID = 0x000900A0
STATUS_INVALID_EA_NAME = 0x80000013
STATUS_EA_TOO_LARGE = 0xC0000050
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECTID_NOT_FOUND = 0xC00002F0
STATUS_NO_MORE_EAS = 0x80000012


def full_ea_list(eas):
    """FILE_FULL_EA_INFORMATION chain of (name, value, flags)."""
    out = b""
    for i, (name, value, flags) in enumerate(eas):
        e = struct.pack("<IBBH", 0, flags, len(name), len(value))
        e += name.encode() + b"\0" + value
        if i + 1 < len(eas):
            e += b"\0" * (-len(e) % 4)
            e = struct.pack("<I", len(e)) + e[4:]
        out += e
    return out


def get_ea_list(names):
    out = b""
    for i, name in enumerate(names):
        e = struct.pack("<IB", 0, len(name)) + name.encode() + b"\0"
        if i + 1 < len(names):
            e += b"\0" * (-len(e) % 4)
            e = struct.pack("<I", len(e)) + e[4:]
        out += e
    return out


def parse_full(buf):
    """[(name, value, flags)] of a FILE_FULL_EA_INFORMATION chain."""
    out, off = [], 0
    while off < len(buf):
        nxt, flags, nlen, vlen = struct.unpack_from("<IBBH", buf, off)
        name = buf[off + 8:off + 8 + nlen].decode()
        value = buf[off + 9 + nlen:off + 9 + nlen + vlen]
        out.append((name, value, flags))
        if nxt == 0:
            break
        off += nxt
    return out


class ExtA:
    """A create context impacket's create() can carry."""

    def __init__(self, data):
        self.data = data

    def getData(self):
        name = b"ExtA"
        return (struct.pack("<IHHHHI", 0, 16, 4, 0, 24, len(self.data)) +
                name + b"\0" * 4 + self.data)


def status_of(e):
    return e.get_error_code()


def main():
    port, share_dir = int(sys.argv[1]), sys.argv[2]
    conn = SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=SMB2_DIALECT_30, timeout=60)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree("demo")
    smb = conn.getSMBServer()
    access = (FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_EA |
              FILE_WRITE_EA | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES)
    name = "EA Test File.txt"

    fid = smb.create(tid, name, access, FILE_SHARE_READ | FILE_SHARE_WRITE,
                     FILE_NON_DIRECTORY_FILE, FILE_OVERWRITE_IF, 0,
                     createContexts=[ExtA(full_ea_list(
                         [("Author", b"alice", 0)]))])
    ok("CREATE with an ExtA context")
    smb.setInfo(tid, fid, full_ea_list([("color", b"blue", 0),
                                        ("Flagged", b"x", 0x80)]),
                fileInfoClass=FileFullEaInformation)
    ok("SET_INFO FileFullEaInformation with two EAs")

    raw = smb.queryInfo(tid, fid, fileInfoClass=FileFullEaInformation,
                        flags=SL_RESTART_SCAN)
    eas = parse_full(raw)
    got = sorted((n, v, f) for n, v, f in eas)
    expect("all EAs read back, names upper-cased, flags kept",
           got == [("AUTHOR", b"alice", 0), ("COLOR", b"blue", 0),
                   ("FLAGGED", b"x", 0x80)], repr(got))
    size = struct.unpack("<I", smb.queryInfo(
        tid, fid, fileInfoClass=FileEaInformation)[:4])[0]
    expect("FileEaInformation EaSize is the list's size",
           size == len(raw), "%d != %d" % (size, len(raw)))
    path = os.path.join(share_dir, name)
    try:
        v = os.getxattr(path, "user.wgsmb.ea.COLOR")
        expect("kept as the xattr user.wgsmb.ea.COLOR", v == b"\0blue",
               repr(v))
    except OSError as e:
        fail("kept as the xattr user.wgsmb.ea.COLOR", str(e))

    raw = smb.queryInfo(tid, fid, get_ea_list(["COLOR", "nosuch"]),
                        fileInfoClass=FileFullEaInformation)
    got = parse_full(raw)
    expect("a name list answers each name, an absent one without value",
           got == [("COLOR", b"blue", 0), ("NOSUCH", b"", 0)], repr(got))

    one = parse_full(smb.queryInfo(
        tid, fid, fileInfoClass=FileFullEaInformation,
        flags=SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY))
    rest = []
    while True:
        try:
            rest += parse_full(smb.queryInfo(
                tid, fid, fileInfoClass=FileFullEaInformation,
                flags=SL_RETURN_SINGLE_ENTRY))
        except SessionError as e:
            expect("a single-entry scan ends with NO_MORE_EAS",
                   status_of(e) == STATUS_NO_MORE_EAS, hex(status_of(e)))
            break
        if len(rest) > 3:
            fail("a single-entry scan ends", "it did not")
            break
    expect("a single-entry scan visits every EA once",
           sorted(n for n, _, _ in one + rest) ==
           ["AUTHOR", "COLOR", "FLAGGED"], repr(one + rest))

    smb.setInfo(tid, fid, full_ea_list([("COLOR", b"", 0)]),
                fileInfoClass=FileFullEaInformation)
    got = sorted(n for n, _, _ in parse_full(smb.queryInfo(
        tid, fid, fileInfoClass=FileFullEaInformation,
        flags=SL_RESTART_SCAN)))
    expect("an empty value deletes the EA", got == ["AUTHOR", "FLAGGED"],
           repr(got))

    # 2 KiB fits any filesystem's xattrs; with 63000 more the file's EAs
    # pass Windows' budget, whatever the filesystem could hold
    smb.setInfo(tid, fid, full_ea_list([("BIG1", b"y" * 2000, 0)]),
                fileInfoClass=FileFullEaInformation)
    for desc, lst, want in [
            ("a name with ':' is INVALID_EA_NAME",
             [("a:b", b"x", 0)], STATUS_INVALID_EA_NAME),
            ("a kernel EA is ACCESS_DENIED",
             [("$Kernel.Purge.X", b"x", 0)], STATUS_ACCESS_DENIED),
            ("EAs over 64 KiB - 5 in all are EA_TOO_LARGE",
             [("BIG2", b"z" * 63000, 0)], STATUS_EA_TOO_LARGE)]:
        try:
            smb.setInfo(tid, fid, full_ea_list(lst),
                        fileInfoClass=FileFullEaInformation)
            fail(desc, "accepted")
        except SessionError as e:
            expect(desc, status_of(e) == want, hex(status_of(e)))

    # short names: QUERY_INFO agrees with the directory listing
    alt = smb.queryInfo(tid, fid, fileInfoClass=FileAlternateNameInformation)
    alen = struct.unpack("<I", alt[:4])[0]
    short = alt[4:4 + alen].decode("utf-16le")
    expect("FileAlternateNameInformation is a hashed 8.3 name",
           re.fullmatch(r"EA[0-9A-F]{4}~[1-9]\.TXT", short) is not None,
           short)
    dfid = smb.create(tid, "", FILE_READ_DATA | FILE_READ_ATTRIBUTES,
                      FILE_SHARE_READ | FILE_SHARE_WRITE, 0, 1, 0)
    ent = smb.queryDirectory(tid, dfid, name, maxBufferSize=65535,
                             informationClass=FileIdBothDirectoryInformation)
    smb.close(tid, dfid)
    ea_size, slen = struct.unpack_from("<IB", ent, 64)
    listed = ent[70:70 + slen].decode("utf-16le")
    expect("FileIdBothDirectoryInformation carries the same ShortName",
           listed == short, "%r vs %r" % (listed, short))
    expect("... and the EaSize of FileEaInformation",
           ea_size == struct.unpack("<I", smb.queryInfo(
               tid, fid, fileInfoClass=FileEaInformation)[:4])[0],
           str(ea_size))
    ent = smb.queryDirectory(tid, smb.create(
        tid, "", FILE_READ_DATA | FILE_READ_ATTRIBUTES,
        FILE_SHARE_READ | FILE_SHARE_WRITE, 0, 1, 0), "*",
        maxBufferSize=65535, informationClass=FileIdBothDirectoryInformation)
    dot_short = struct.unpack_from("<B", ent, 68)[0]
    expect("an 8.3 name (\".\") lists no ShortName", dot_short == 0,
           str(dot_short))

    # object ids
    a = smb.ioctl(tid, fid, FSCTL_CREATE_OR_GET_OBJECT_ID, flags=1,
                  maxOutputResponse=64)
    b = smb.ioctl(tid, fid, FSCTL_CREATE_OR_GET_OBJECT_ID, flags=1,
                  maxOutputResponse=64)
    g = smb.ioctl(tid, fid, FSCTL_GET_OBJECT_ID, flags=1,
                  maxOutputResponse=64)
    expect("CREATE_OR_GET_OBJECT_ID is stable, GET agrees",
           len(a) == 64 and a == b == g and a[32:48] == a[:16],
           "%r %r %r" % (a, b, g))
    smb.ioctl(tid, fid, FSCTL_DELETE_OBJECT_ID, flags=1)
    try:
        smb.ioctl(tid, fid, FSCTL_GET_OBJECT_ID, flags=1,
                  maxOutputResponse=64)
        fail("after DELETE_OBJECT_ID, GET is OBJECTID_NOT_FOUND", "found")
    except SessionError as e:
        expect("after DELETE_OBJECT_ID, GET is OBJECTID_NOT_FOUND",
               status_of(e) == STATUS_OBJECTID_NOT_FOUND,
               hex(status_of(e)))

    smb.close(tid, fid)
    conn.deleteFile("demo", name)
    conn.logoff()
    return wgcheck.summary("test_ea.py")


if __name__ == "__main__":
    sys.exit(main())
