#!/usr/bin/python3
"""smb1_core.py HOST PORT USER PASS SHARE_DIR - SMB1 commands no library
call sends, framed by hand over impacket's SMB1 session (NT LM 0.12):
NT_RENAME makes a hard link (the same inode on disk, two links), a copy
(the same bytes, another inode) and a rename, and refuses an unknown
level; QUERY_INFORMATION_DISK gives the share's size as statvfs sees it
(within one allocation unit, or 65535 units of 32768 blocks for a larger
disk); OPEN_ANDX with SMB_OPEN_EXTENDED_RESPONSE answers the extended
response (19 words, MS-SMB 2.2.4.1.2) whose MaximalAccessRights is the
owner's full access and GuestMaximalAccessRights 0, and without the flag
the 15-word one. Exit 0 if all hold."""
import io
import os
import struct
import sys

from impacket import smb

from smb1raw import call, connect

STATUS_ACCESS_DENIED = 0xC0000022


def ntrename(s, tid, old, new, level):
    # 0x04 at an odd offset puts the first UTF-16 name on an even one;
    # the second 0x04 lands even, so a pad byte aligns its name
    data = (b'\x04' + old.encode('utf-16le') + b'\0\0' +
            b'\x04\x00' + new.encode('utf-16le') + b'\0\0')
    return call(s, tid, smb.SMB.SMB_COM_NT_RENAME,
                struct.pack('<HHI', 0x16, level, 0), data)[0]


def openx(s, tid, name, flags):
    """OPEN_ANDX of name (open or create), read/write, deny none:
    (status, parameter words)."""
    params = struct.pack('<BBHHHHHIHIIHH', 0xFF, 0, 0, flags, 0x0042,
                         0, 0, 0, 0x11, 0, 0, 0, 0)
    # the name starts at an odd offset: a pad byte aligns its UTF-16
    data = b'\0' + name.encode('utf-16le') + b'\0\0'
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_OPEN_ANDX, params, data)
    return st, w


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c, tid = connect(host, port, user, pw)
    s = c.getSMBServer()
    # made through the share: the server's own file (a file of another
    # owner cannot be linked where fs.protected_hardlinks is on)
    src = os.path.join(share_dir, 'ntr_src.txt')
    c.putFile('demo', '\\ntr_src.txt',
              io.BytesIO(b'hard link and copy\n').read)

    st = ntrename(s, tid, '\\ntr_src.txt', '\\ntr_link.txt', 0x103)
    assert st == 0, 'hard link: 0x%08x' % st
    a, b = os.stat(src), os.stat(os.path.join(share_dir, 'ntr_link.txt'))
    assert a.st_ino == b.st_ino and a.st_nlink == 2, (a, b)
    print('NT_RENAME hard link: one inode, two links')
    st = ntrename(s, tid, '\\ntr_src.txt', '\\ntr_link.txt', 0x103)
    assert st != 0, 'a second link over the first succeeded'

    st = ntrename(s, tid, '\\ntr_src.txt', '\\ntr_copy.txt', 0x105)
    assert st == 0, 'copy: 0x%08x' % st
    cp = os.path.join(share_dir, 'ntr_copy.txt')
    with open(cp, 'rb') as f:
        assert f.read() == b'hard link and copy\n'
    assert os.stat(cp).st_ino != a.st_ino
    print('NT_RENAME copy: same bytes, another inode')

    st = ntrename(s, tid, '\\ntr_copy.txt', '\\ntr_moved.txt', 0x104)
    assert st == 0, 'rename: 0x%08x' % st
    assert not os.path.exists(cp)
    assert os.path.exists(os.path.join(share_dir, 'ntr_moved.txt'))
    print('NT_RENAME rename: moved')
    st = ntrename(s, tid, '\\ntr_moved.txt', '\\x.txt', 0x777)
    assert st == STATUS_ACCESS_DENIED, 'unknown level: 0x%08x' % st

    st, w, _ = call(s, tid, smb.SMB.SMB_COM_QUERY_INFORMATION_DISK, b'', b'')
    assert st == 0 and len(w) == 10, (hex(st), w)
    total, per_unit, block, free = struct.unpack('<HHHH', w[:8])
    v = os.statvfs(share_dir)
    want = v.f_blocks * v.f_frsize // block
    got = total * per_unit
    assert abs(got - want) <= per_unit or (total == 0xFFFF and
                                          per_unit == 0x8000), (got, want)
    assert free <= total
    print('QUERY_INFORMATION_DISK: %d units of %d x %d bytes, %d free'
          % (total, per_unit, block, free))

    st, w = openx(s, tid, '\\openx_ext.txt', 0x0011)
    assert st == 0 and len(w) == 38, ('extended OPEN_ANDX', hex(st), len(w))
    fid = struct.unpack_from('<H', w, 4)[0]
    maximal, guest = struct.unpack_from('<II', w, 30)
    assert maximal & 0x1F01FF == 0x1F01FF and guest == 0, (hex(maximal),
                                                          hex(guest))
    c.closeFile(tid, fid)
    print('OPEN_ANDX extended: 19 words, MaximalAccessRights 0x%x, guest 0'
          % maximal)
    st, w = openx(s, tid, '\\openx_ext.txt', 0x0001)
    assert st == 0 and len(w) == 30, ('plain OPEN_ANDX', hex(st), len(w))
    c.closeFile(tid, struct.unpack_from('<H', w, 4)[0])
    print('OPEN_ANDX without the flag: 15 words')
    c.logoff()
    return 0


if __name__ == '__main__':
    sys.exit(main())
