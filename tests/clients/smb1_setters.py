#!/usr/bin/python3
"""smb1_setters.py HOST PORT USER PASS SHARE_DIR - SMB1 core commands that
set times, framed by hand over impacket's SMB1 session: CREATE of a named
stream with a CreationTime sets its base file's write time (a stream's
times are its file's), not the stream store's. Exit 0 if all hold."""
import io
import os
import struct
import sys

from impacket import smb
from impacket.smbconnection import SMBConnection

from smb1raw import FAILS, call, expect

SMB_COM_CREATE = 0x03
SMB_COM_CLOSE = 0x04


def path_data(name):
    # the data starts at an odd offset for these word counts, so the
    # UTF-16 name after the 0x04 buffer format lands even: no pad
    return b'\x04' + name.encode('utf-16le') + b'\0\0'


def create(s, tid, name, utime):
    """CREATE [MS-CIFS 2.2.4.4]: (status, FID)."""
    st, w, _ = call(s, tid, SMB_COM_CREATE, struct.pack('<HI', 0, utime),
                    path_data(name))
    return st, struct.unpack_from('<H', w)[0] if len(w) >= 2 else None


def close(s, tid, fid):
    """CLOSE leaving the write time (LastTimeModified 0)."""
    return call(s, tid, SMB_COM_CLOSE, struct.pack('<HI', fid, 0), b'')[0]


def mtime(share_dir, name):
    return int(os.stat(os.path.join(share_dir, name)).st_mtime)


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c = SMBConnection(host, host, sess_port=int(port),
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    s = c.getSMBServer()
    tid = c.connectTree('demo')

    # CREATE of a stream: the time given is the base file's
    c.putFile('demo', '\\set_stream.txt', io.BytesIO(b'base\n').read)
    when = 1500000000		# 2017-07-14
    st, fid = create(s, tid, '\\set_stream.txt:s1', when)
    expect('CREATE of a named stream', st == 0, hex(st))
    if st == 0:
        close(s, tid, fid)
    got = mtime(share_dir, 'set_stream.txt')
    expect('CREATE of a stream sets its base file\'s write time',
           got == when, '%d, wanted %d' % (got, when))

    c.logoff()
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
