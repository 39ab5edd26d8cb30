#!/usr/bin/python3
"""smb1_setters.py HOST PORT USER PASS SHARE_DIR - SMB1 core commands that
set times, framed by hand over impacket's SMB1 session: CREATE of a named
stream with a CreationTime sets its base file's write time (a stream's
times are its file's), not the stream store's. A size change keeps a
write time set through the same open and moves it otherwise (MS-FSA
2.1.4.17), alike for SMB1 core WRITE of no bytes and SMB2 SET_INFO
FileEndOfFileInformation (one fs helper serves both). SET_INFORMATION
leaves the write time for a UTIME of 0 or 0xFFFFFFFF (MS-CIFS 2.2.1.4.3)
and sets it to any other. Exit 0 if all hold."""
import io
import os
import struct
import sys

from impacket.smbconnection import SMBConnection

from smb1raw import FAILS, call, connect, expect

SMB_COM_CREATE = 0x03
SMB_COM_CLOSE = 0x04
SMB_COM_SET_INFORMATION = 0x09
SMB_COM_WRITE = 0x0B
NT_EPOCH = 116444736000000000	# 1970 in NT time


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


def set_information(s, tid, name, utime):
    """SET_INFORMATION [MS-CIFS 2.2.4.10] of name: ARCHIVE, a write
    time."""
    return call(s, tid, SMB_COM_SET_INFORMATION,
                struct.pack('<HI5H', 0x20, utime, 0, 0, 0, 0, 0),
                path_data(name))[0]


def write_none(s, tid, fid, offset):
    """WRITE of no bytes at offset [MS-CIFS 2.2.4.12]: sets the size."""
    return call(s, tid, SMB_COM_WRITE, struct.pack('<HHIH', fid, 0, offset,
                                                   0), b'\x01\x00\x00')[0]


def size_keeps_set_time(host, port, user, pw, share_dir):
    """SMB2: EndOfFile after a write time set through the handle keeps
    it; without one the size change moves it."""
    c = SMBConnection(host, host, sess_port=int(port))
    c.login(user, pw)
    s = c.getSMBServer()
    tid = c.connectTree('demo')
    when = 1400000000		# 2014-05-13
    for name, set_time in (('set_eof2a.txt', True),
                           ('set_eof2b.txt', False)):
        c.putFile('demo', '\\' + name, io.BytesIO(b'x').read)
        os.utime(os.path.join(share_dir, name), (when, when))
        fid = c.openFile(tid, '\\' + name, desiredAccess=0x0012019F)
        if set_time:
            s.setInfo(tid, fid, struct.pack('<qqqqI4x', 0, 0,
                                            NT_EPOCH + when * 10000000,
                                            0, 0), 1, 4)
        s.setInfo(tid, fid, struct.pack('<q', 100), 1, 20)
        c.closeFile(tid, fid)
        got = os.stat(os.path.join(share_dir, name))
        if set_time:
            expect('SMB2 EndOfFile keeps the write time set through the '
                   'handle', int(got.st_mtime) == when and
                   got.st_size == 100, str((int(got.st_mtime), got.st_size)))
        else:
            expect('SMB2 EndOfFile without a set time moves it',
                   int(got.st_mtime) > when and got.st_size == 100,
                   str((int(got.st_mtime), got.st_size)))
    c.logoff()


def mtime(share_dir, name):
    return int(os.stat(os.path.join(share_dir, name)).st_mtime)


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c, tid = connect(host, port, user, pw)
    s = c.getSMBServer()

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

    # CREATE's time is set through the new FID: a WRITE of no bytes
    # through it (an end of file set) keeps it
    when = 1450000000		# 2015-12-13
    st, fid = create(s, tid, '\\set_eof1.txt', when)
    expect('CREATE with a time', st == 0, hex(st))
    if st == 0:
        st = write_none(s, tid, fid, 100)
        expect('WRITE of no bytes', st == 0, hex(st))
        close(s, tid, fid)
    got = os.stat(os.path.join(share_dir, 'set_eof1.txt'))
    expect('WRITE of no bytes keeps the write time set through the FID',
           int(got.st_mtime) == when and got.st_size == 100,
           str((int(got.st_mtime), got.st_size)))

    # SET_INFORMATION: 0 and 0xFFFFFFFF leave the write time
    c.putFile('demo', '\\set_info.txt', io.BytesIO(b'x').read)
    path = os.path.join(share_dir, 'set_info.txt')
    old = 1300000000		# 2011-03-13
    os.utime(path, (old, old))
    for utime in (0xFFFFFFFF, 0):
        st = set_information(s, tid, '\\set_info.txt', utime)
        got = mtime(share_dir, 'set_info.txt')
        expect('SET_INFORMATION with UTIME 0x%x' % utime, st == 0, hex(st))
        expect('SET_INFORMATION with UTIME 0x%x leaves the write time'
               % utime, got == old, '%d, wanted %d' % (got, old))
    when = 1600000000		# 2020-09-13
    st = set_information(s, tid, '\\set_info.txt', when)
    got = mtime(share_dir, 'set_info.txt')
    expect('SET_INFORMATION with a time sets it', st == 0 and got == when,
           '%s, %d, wanted %d' % (hex(st), got, when))

    c.logoff()
    size_keeps_set_time(host, port, user, pw, share_dir)
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
