#!/usr/bin/python3
"""smb1_overwrite.py HOST PORT USER PASS SHARE_DIR - an SMB1 open that
overwrites a 3 MiB file (its truncate runs on a worker, off the loop:
fs/openpath.h SMBD_TRUNC_OFFLOAD_MIN): NT_CREATE_ANDX with disposition
OVERWRITE_IF answers FILE_WAS_OVERWRITTEN, an end of file of 0 and the
batch oplock asked for, and the file is 0 bytes on disk; the same over
OPEN_ANDX (open function: truncate), its OpenResults "truncated" with
the oplock bit; a small file overwritten the same way (on the loop)
answers alike. Exit 0 if all hold."""
import io
import os
import struct
import sys

from impacket import smb

from smb1raw import FAILS, call, connect, expect

FILE_OVERWRITE_IF = 5
FILE_WAS_OVERWRITTEN = 3
BIG = 3 * 1024 * 1024


def ntcreate(s, tid, name, disposition):
    """NT_CREATE_ANDX of name read/write, share all, asking a batch
    oplock: (status, parameter words)."""
    uname = name.encode('utf-16le') + b'\0\0'
    params = struct.pack('<BBHBHIIIQIIIIIB', 0xFF, 0, 0, 0, len(uname),
                         0x06,             # oplock, batch
                         0,                # RootDirectoryFID
                         0x0012019F,       # generic read/write
                         0,                # AllocationSize
                         0x80,             # FILE_ATTRIBUTE_NORMAL
                         7, disposition,
                         0x40,             # FILE_NON_DIRECTORY_FILE
                         2, 0)             # impersonation
    # the name starts at an odd offset: a pad byte aligns its UTF-16
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_NT_CREATE_ANDX, params,
                    b'\0' + uname)
    return st, w


def openx(s, tid, name):
    """OPEN_ANDX of name read/write, deny none, truncating an existing
    file, asking a batch oplock: (status, parameter words)."""
    params = struct.pack('<BBHHHHHIHIIHH', 0xFF, 0, 0, 0x0006, 0x0042,
                         0, 0, 0, 0x12, 0, 0, 0, 0)
    data = b'\0' + name.encode('utf-16le') + b'\0\0'
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_OPEN_ANDX, params, data)
    return st, w


def close(s, tid, fid):
    call(s, tid, smb.SMB.SMB_COM_CLOSE, struct.pack('<HI', fid, 0), b'')


def fill(c, name, size):
    """name written through the share: the server's own file"""
    c.putFile('demo', '\\' + name, io.BytesIO(b'x' * size).read)


def check_ntcreate(c, s, tid, share_dir, name, size):
    path = os.path.join(share_dir, name)
    fill(c, name, size)
    expect('%s is %d bytes on disk' % (name, size),
           os.stat(path).st_size == size, os.stat(path).st_size)
    st, w = ntcreate(s, tid, '\\' + name, FILE_OVERWRITE_IF)
    ok = st == 0 and len(w) >= 68
    expect('NT_CREATE_ANDX OVERWRITE_IF of a %d-byte file succeeds' % size,
           ok, 'status 0x%08x, %d bytes of words' % (st, len(w)))
    if not ok:
        return
    oplock, fid, action = struct.unpack_from('<BHI', w, 4)
    eof = struct.unpack_from('<Q', w, 4 + 1 + 2 + 4 + 32 + 4 + 8)[0]
    expect('%d bytes: FILE_WAS_OVERWRITTEN' % size,
           action == FILE_WAS_OVERWRITTEN, 'action %d' % action)
    expect('%d bytes: the reply says end of file 0' % size, eof == 0,
           'eof %d' % eof)
    expect('%d bytes: the batch oplock asked for is granted' % size,
           oplock == 2, 'level %d' % oplock)
    expect('%d bytes: 0 bytes on disk' % size,
           os.stat(path).st_size == 0, os.stat(path).st_size)
    close(s, tid, fid)


def check_openx(c, s, tid, share_dir, name, size):
    path = os.path.join(share_dir, name)
    fill(c, name, size)
    expect('%s is %d bytes on disk' % (name, size),
           os.stat(path).st_size == size, os.stat(path).st_size)
    st, w = openx(s, tid, '\\' + name)
    ok = st == 0 and len(w) >= 30
    expect('OPEN_ANDX truncate of a %d-byte file succeeds' % size, ok,
           'status 0x%08x, %d bytes of words' % (st, len(w)))
    if not ok:
        return
    fid = struct.unpack_from('<H', w, 4)[0]
    fsize = struct.unpack_from('<I', w, 12)[0]
    results = struct.unpack_from('<H', w, 22)[0]
    expect('OPEN_ANDX %d bytes: truncated, with an oplock (0x%04x)' %
           (size, results), results == 0x8003, '0x%04x' % results)
    expect('OPEN_ANDX %d bytes: the reply says size 0' % size, fsize == 0,
           fsize)
    expect('OPEN_ANDX %d bytes: 0 bytes on disk' % size,
           os.stat(path).st_size == 0, os.stat(path).st_size)
    close(s, tid, fid)


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c, tid = connect(host, port, user, pw)
    s = c.getSMBServer()
    check_ntcreate(c, s, tid, share_dir, 'ovw_big.bin', BIG)
    check_ntcreate(c, s, tid, share_dir, 'ovw_small.bin', 4096)
    check_openx(c, s, tid, share_dir, 'ovwx_big.bin', BIG)
    check_openx(c, s, tid, share_dir, 'ovwx_small.bin', 4096)
    # the connection still answers after the worker's truncate
    st, _, _ = call(s, tid, smb.SMB.SMB_COM_ECHO, struct.pack('<H', 1),
                    b'ping')
    expect('ECHO after the overwrites', st == 0, '0x%08x' % st)
    for n in ('ovw_big.bin', 'ovw_small.bin', 'ovwx_big.bin',
              'ovwx_small.bin'):
        os.unlink(os.path.join(share_dir, n))
    c.close()
    sys.exit(1 if FAILS else 0)


if __name__ == '__main__':
    main()
