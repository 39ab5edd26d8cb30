#!/usr/bin/python3
"""smb1_find.py HOST PORT USER PASS SHARE_DIR WGNET CONF - the core
protocol's FIND family against wgsmbd with SMB1 on (impacket's SMB1
dialect logs on; the requests are built by hand, MS-CIFS 2.2.4.59-61):
 - FIND (0x82) lists one entry, and goes on from its resume key;
 - FIND_UNIQUE (0x83) lists them all in one answer and refuses a resume
   key (it keeps no state);
 - FIND searches stay open until FIND_CLOSE (0x84): one client opening
   them without closing gets STATUS_INSUFFICIENT_RESOURCES at the
   per-session budget (SMB1_MAX_SEARCHES), and `wgnet statistics`
   counts the smb1_searches hit; a FIND_CLOSE makes room for another;
   closing the same search again is INVALID_HANDLE.
Exit 0 if all hold."""
import os
import struct
import sys


from smb1raw import FAILS, call, connect, expect, wgnet_counter

OK = 0
INVALID_HANDLE = 0xC0000008
INVALID_PARAMETER = 0xC000000D
INSUFFICIENT_RESOURCES = 0xC000009A
FIND, FIND_UNIQUE, FIND_CLOSE = 0x82, 0x83, 0x84
KEY_LEN = 21
ENTRY_LEN = 43

class Raw:
    """Hand-built SMB1 requests on impacket's session (it signs them)."""

    def __init__(self, conn, tid):
        self.s = conn.getSMBServer()
        self.tid = tid

    def call(self, cmd, words, data):
        return call(self.s, self.tid, cmd, words, data)


def find(raw, cmd, pattern, max_count, key=b''):
    """(status, resume keys of the entries, their names)."""
    # the 0x04 lands at an odd offset (39), so the UTF-16 name is even
    data = (b'\x04' + pattern.encode('utf-16le') + b'\0\0' +
            b'\x05' + struct.pack('<H', len(key)) + key)
    # SearchAttributes 0: normal files only, not "." and ".."
    st, words, out = raw.call(cmd, struct.pack('<HH', max_count, 0), data)
    keys, names = [], []
    if st == OK and len(words) >= 2 and len(out) >= 3:
        n = struct.unpack('<H', words[:2])[0]
        for i in range(n):
            e = out[3 + i * ENTRY_LEN:3 + (i + 1) * ENTRY_LEN]
            keys.append(e[:KEY_LEN])
            names.append(e[30:43].split(b'\0')[0].decode('ascii'))
    return st, keys, names


def wgnet_hits(wgnet, conf):
    return wgnet_counter(wgnet, conf, 'smb1_searches')


def main():
    host, port, user, pw, share_dir, wgnet, conf = sys.argv[1:8]
    os.makedirs(os.path.join(share_dir, 'findb'), exist_ok=True)
    for n in ('a.txt', 'b.txt', 'c.txt'):
        with open(os.path.join(share_dir, 'findb', n), 'wb') as f:
            f.write(b'x')
    c, tid = connect(host, port, user, pw)
    raw = Raw(c, tid)

    st, keys, names = find(raw, FIND, '\\findb\\*', 1)
    expect('FIND answers one entry', st == OK and names == ['a.txt'],
           '0x%08x %r' % (st, names))
    first = keys[0] if keys else b'\0' * KEY_LEN
    st, _, names = find(raw, FIND, '', 1, first)
    expect('FIND goes on from its resume key', st == OK and
           names == ['b.txt'], '0x%08x %r' % (st, names))

    st, _, names = find(raw, FIND_UNIQUE, '\\findb\\*', 10)
    expect('FIND_UNIQUE answers all three at once', st == OK and
           names == ['a.txt', 'b.txt', 'c.txt'], '0x%08x %r' % (st, names))
    st, _, _ = find(raw, FIND_UNIQUE, '', 10, first)
    expect('FIND_UNIQUE refuses a resume key', st == INVALID_PARAMETER,
           '0x%08x' % st)

    hits0 = wgnet_hits(wgnet, conf) or 0
    opened, st = [first], OK
    for _ in range(200):
        st, keys, _ = find(raw, FIND, '\\findb\\*', 1)
        if st != OK:
            break
        opened.append(keys[0])
    expect('FINDs left open hit the per-session budget with '
           'INSUFFICIENT_RESOURCES', st == INSUFFICIENT_RESOURCES and
           len(opened) == 64, '0x%08x after %d' % (st, len(opened)))
    hits = wgnet_hits(wgnet, conf)
    expect('wgnet statistics counts the smb1_searches hit',
           hits is not None and hits > hits0, '%r -> %r' % (hits0, hits))

    st, words, data = raw.call(FIND_CLOSE, struct.pack('<HH', 0, 0),
                               b'\x04\0\0\x05' +
                               struct.pack('<H', KEY_LEN) + opened[1])
    expect('FIND_CLOSE closes a FIND', st == OK and
           words == b'\0\0', '0x%08x %r' % (st, words))
    st, _, names = find(raw, FIND, '\\findb\\*', 1)
    expect('after FIND_CLOSE there is room for another FIND',
           st == OK and names == ['a.txt'], '0x%08x' % st)
    st, _, _ = raw.call(FIND_CLOSE, struct.pack('<HH', 0, 0),
                        b'\x04\0\0\x05' + struct.pack('<H', KEY_LEN) +
                        opened[1])
    expect('FIND_CLOSE of a closed search is INVALID_HANDLE',
           st == INVALID_HANDLE, '0x%08x' % st)
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
