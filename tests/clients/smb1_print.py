#!/usr/bin/python3
"""smb1_print.py HOST PORT USER PASS SPOOL_DIR - print spool files over
SMB1 (NT LM 0.12, framed by hand over impacket's session): on the
printable share [lp], OPEN_PRINT_FILE gives a FID, WRITE_PRINT_FILE
appends, CLOSE_PRINT_FILE queues the file, which the default print
command keeps in the spool directory with the bytes written; on the
disk share OPEN_PRINT_FILE is INVALID_DEVICE_REQUEST and
CLOSE_PRINT_FILE of an ordinary file ERRSRV:ERRerror. Exit 0 if all
hold."""
import os
import struct
import sys
import time

from impacket import smb
from impacket.smbconnection import SMBConnection

from smb1raw import call_dos

STATUS_INVALID_DEVICE_REQUEST = 0xC0000010
OPEN_PRINT_FILE, WRITE_PRINT_FILE, CLOSE_PRINT_FILE = 0xC0, 0xC1, 0xC2


def call(s, tid, cmd, params, data):
    """(status, dos, parameter words, data): a DOS error reads as (class,
    code) with class in the low byte."""
    return call_dos(s, tid, cmd, params, data)


def open_print(s, tid):
    # SetupLength 0, Mode 1 (binary); Identifier "job"
    return call(s, tid, OPEN_PRINT_FILE, struct.pack('<HH', 0, 1),
                b'\x04job\0')


def main():
    host, port, user, pw, spool = sys.argv[1:6]
    c = SMBConnection(host, host, sess_port=int(port),
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    s = c.getSMBServer()
    before = set(os.listdir(spool))

    lp = c.connectTree('lp')
    st, dos, words, _ = open_print(s, lp)
    assert st == 0 and len(words) == 2, 'OPEN_PRINT_FILE: 0x%08x' % st
    fid = struct.unpack('<H', words)[0]
    print('OPEN_PRINT_FILE: FID %d' % fid)
    for part in (b'%!PS first part\n', b'second part\n'):
        st, dos, words, _ = call(s, lp, WRITE_PRINT_FILE,
                                 struct.pack('<H', fid),
                                 b'\x01' + struct.pack('<H', len(part)) +
                                 part)
        assert st == 0, 'WRITE_PRINT_FILE: 0x%08x' % st
    print('WRITE_PRINT_FILE: two parts appended')
    st, dos, _, _ = call(s, lp, CLOSE_PRINT_FILE, struct.pack('<H', fid),
                         b'')
    assert st == 0, 'CLOSE_PRINT_FILE: 0x%08x' % st
    want = b'%!PS first part\nsecond part\n'
    found = None
    for _ in range(50):
        for name in set(os.listdir(spool)) - before:
            with open(os.path.join(spool, name), 'rb') as f:
                if f.read() == want:
                    found = name
        if found:
            break
        time.sleep(0.1)
    assert found and found.startswith('job-'), sorted(os.listdir(spool))
    print('CLOSE_PRINT_FILE: queued as %s, bytes as written' % found)

    demo = c.connectTree('demo')
    st, dos, _, _ = open_print(s, demo)
    assert st == STATUS_INVALID_DEVICE_REQUEST, 'disk: 0x%08x' % st
    print('OPEN_PRINT_FILE on a disk share: INVALID_DEVICE_REQUEST')
    fid = c.openFile(demo, '\\not_print.txt',
                     creationDisposition=smb.FILE_OVERWRITE_IF)
    st, dos, _, _ = call(s, demo, CLOSE_PRINT_FILE,
                         struct.pack('<H', fid), b'')
    assert dos and st == 0x00010002, 'not a print file: 0x%08x dos %s' % (
        st, dos)
    c.closeFile(demo, fid)
    print('CLOSE_PRINT_FILE of a disk file: ERRSRV:ERRerror')
    return 0


if __name__ == '__main__':
    sys.exit(main())
