#!/usr/bin/python3
"""smb1_overwrite.py HOST PORT USER PASS SHARE_DIR - every SMB1 open that
overwrites, of a 3 MiB file (its truncate runs on a worker, off the
loop: fs/openpath.h SMBD_TRUNC_OFFLOAD_MIN) and of a 4 KiB one (on the
loop): NT_CREATE_ANDX OVERWRITE_IF answers FILE_WAS_OVERWRITTEN, end of
file 0 and the batch oplock asked for; OPEN_ANDX (open function:
truncate) its OpenResults "truncated" with the oplock bit;
NT_TRANSACT_CREATE OVERWRITE_IF FILE_WAS_OVERWRITTEN, end of file 0, its
EA set (after the truncate); core CREATE a FID; TRANS2_OPEN2
(create or truncate) ActionTaken 3, size 0. Each time the file is 0
bytes on disk and what is written through the new open is all it holds.
Of a 64 MiB file: an overwrite that denies all, pipelined with an open
of the same file on the same connection, makes that one
SHARING_VIOLATION, and at least once in five tries it is answered while
the truncate runs (share modes hold then); a client that drops its
connection right after sending its overwrite leaves the server
answering and its open closed (an open that denies all gets in), for
each completion (file.c, nttrans.c, trans2.c through file.c; under ASan
test_smb1.sh checks the log for leaks). An overwrite of a 64 MiB file
that shares all (NT_CREATE_ANDX, NT_TRANSACT_CREATE, TRANS2_OPEN2) and,
from another connection of a client taking level II oplocks, an open of
it asking a batch oplock once the truncate has begun: if that open is
answered before the overwrite (during the truncate) it gets level II at
most, and a level II breaks to none (a LOCKING_ANDX from the server)
once the truncate is done; at least once in five tries it comes during
the truncate with level II. Exit 0 if all hold."""
import io
import os
import select
import socket
import struct
import sys
import time

from impacket import smb

import wgcheck
from smb1raw import FAILS, call, connect, expect, send, status_of

FILE_OPEN = 1
FILE_OVERWRITE_IF = 5
FILE_WAS_OVERWRITTEN = 3
BIG = 3 * 1024 * 1024
HUGE = 64 * 1024 * 1024
SMB_COM_CREATE = 0x03
SMB_COM_WRITE = 0x0B
SHARING_VIOLATION = 0xC0000043


def ntcreate_req(name, disposition, share=7, oplock=True):
    """NT_CREATE_ANDX of name read/write asking a batch oplock (or none):
    (words, data)."""
    uname = name.encode('utf-16le') + b'\0\0'
    params = struct.pack('<BBHBHIIIQIIIIIB', 0xFF, 0, 0, 0, len(uname),
                         0x06 if oplock else 0,   # oplock, batch
                         0,                # RootDirectoryFID
                         0x0012019F,       # generic read/write
                         0,                # AllocationSize
                         0x80,             # FILE_ATTRIBUTE_NORMAL
                         share, disposition,
                         0x40,             # FILE_NON_DIRECTORY_FILE
                         2, 0)             # impersonation
    # the name starts at an odd offset: a pad byte aligns its UTF-16
    return params, b'\0' + uname


def ntcreate(s, tid, name, disposition):
    """NT_CREATE_ANDX of name read/write, share all, asking a batch
    oplock: (status, parameter words)."""
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_NT_CREATE_ANDX,
                    *ntcreate_req(name, disposition))
    return st, w


def openx_req(name):
    """OPEN_ANDX of name read/write, deny none, truncating an existing
    file, asking a batch oplock: (words, data)."""
    params = struct.pack('<BBHHHHHIHIIHH', 0xFF, 0, 0, 0x0006, 0x0042,
                         0, 0, 0, 0x12, 0, 0, 0, 0)
    return params, b'\0' + name.encode('utf-16le') + b'\0\0'


def openx(s, tid, name):
    """OPEN_ANDX truncating name: (status, parameter words)."""
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_OPEN_ANDX, *openx_req(name))
    return st, w


def core_create_req(name):
    """CREATE (0x03) [MS-CIFS 2.2.4.4] of name: (words, data); the UTF-16
    name lands even after the 0x04 buffer format, no pad."""
    return (struct.pack('<HI', 0, 0),
            b'\x04' + name.encode('utf-16le') + b'\0\0')


def data_off(nwords):
    """Where a request's data block starts: header, wct, words, bcc."""
    return 32 + 1 + 2 * nwords + 2


def ea_entry(name, value):
    """One FILE_FULL_EA_INFORMATION [MS-FSCC 2.4.15]."""
    return struct.pack('<IBBH', 0, 0, len(name), len(value)) + \
        name + b'\0' + value


def nttrans_create_req(name, disposition, share=7, eas=b''):
    """NT_TRANSACT_CREATE [MS-CIFS 2.2.7.1] of name read/write: (words,
    data), in one piece."""
    uname = name.encode('utf-16le') + b'\0\0'
    param = struct.pack('<IIIQIIIIIIIIB', 0, 0, 0x0012019F, 0, 0x80, share,
                        disposition, 0x40, 0, len(eas), len(uname), 2, 0)
    param += b'\0' + uname   # the pad to an even offset, the name
    base = data_off(19)
    pad = (4 - base % 4) % 4
    poff = base + pad
    doff = poff + len(param)
    w = struct.pack('<BHIIIIIIIIBH', 0, 0, len(param), len(eas), 1024,
                    4096, len(param), poff, len(eas), doff if eas else 0,
                    0, 1)          # NT_TRANSACT_CREATE
    return w, b'\0' * pad + param + eas


def open2_req(name):
    """TRANS2_OPEN2 [MS-CIFS 2.2.6.1] of name read/write, deny none,
    create or truncate: (words, data)."""
    param = struct.pack('<HHHHIHI10s', 0, 0x0042, 0, 0, 0, 0x12, 0,
                        b'') + name.encode('utf-16le') + b'\0\0'
    base = data_off(15) + 1   # a pad byte, the Name
    w = struct.pack('<HHHHBBHIHHHHHBBH', len(param), 0, 64, 1024, 0, 0, 0,
                    0, 0, len(param), base, 0, 0, 1, 0,
                    0)             # TRANS2_OPEN2
    return w, b'\0' + param


def trans2_params(raw):
    """The parameters of a TRANSACTION2 reply (raw: the SMB packet):
    its ParameterCount and ParameterOffset words [MS-CIFS 2.2.4.46.2]."""
    n, off = struct.unpack_from('<HH', raw, 33 + 6)
    return raw[off:off + n]


def nttrans_params(raw):
    """The parameters of an NT_TRANSACT reply [MS-CIFS 2.2.4.62.2]."""
    n, off = struct.unpack_from('<II', raw, 33 + 3 + 8)
    return raw[off:off + n]


def recv(s):
    """The next reply: (MID, status, parameter words, packet bytes)."""
    r = s.recvSMB()
    words = b''
    if r['Data']:
        words = smb.SMBCommand(r['Data'][0])['Parameters']
    return r['Mid'], status_of(r), words, r.getData()


def write(s, tid, fid, data):
    """WRITE (core) of data at offset 0: the count written."""
    st, w, _ = call(s, tid, SMB_COM_WRITE,
                    struct.pack('<HHIH', fid, len(data), 0, 0),
                    b'\x01' + struct.pack('<H', len(data)) + data)
    return struct.unpack_from('<H', w)[0] if st == 0 and len(w) >= 2 \
        else -1


def close(s, tid, fid):
    call(s, tid, smb.SMB.SMB_COM_CLOSE, struct.pack('<HI', fid, 0), b'')


def fill(c, name, size):
    """name written through the share: the server's own file"""
    c.putFile('demo', '\\' + name, io.BytesIO(b'x' * size).read)


def written_after(s, tid, fid, path, what):
    """Write through fid after its overwrite, close it: the file holds
    just that (no truncate came after the reply)."""
    n = write(s, tid, fid, b'new')
    close(s, tid, fid)
    with open(path, 'rb') as f:
        got = f.read()
    expect('%s: what is written after is all the file holds' % what,
           n == 3 and got == b'new', 'wrote %d, %d bytes on disk' %
           (n, len(got)))


def prepare(c, share_dir, name, size):
    """name of size bytes, the server's own file (made through the share,
    grown here in thousands of extents, for its truncate to take long
    enough to send a request during it: wgcheck); its path."""
    path = os.path.join(share_dir, name)
    fill(c, name, min(size, BIG))
    if size > BIG:
        wgcheck.grow_slow_to_truncate(path, size, BIG)
    expect('%s is %d bytes on disk' % (name, size),
           os.stat(path).st_size == size, os.stat(path).st_size)
    return path


def check_ntcreate(c, s, tid, share_dir, name, size):
    path = prepare(c, share_dir, name, size)
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
    written_after(s, tid, fid, path, 'NT_CREATE_ANDX %d bytes' % size)


def check_openx(c, s, tid, share_dir, name, size):
    path = prepare(c, share_dir, name, size)
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
    written_after(s, tid, fid, path, 'OPEN_ANDX %d bytes' % size)


def check_nttrans(c, s, tid, share_dir, name, size):
    """NT_TRANSACT_CREATE OVERWRITE_IF with an EA: overwritten, size 0,
    and the EA set (after the truncate)."""
    path = prepare(c, share_dir, name, size)
    send(s, tid, smb.SMB.SMB_COM_NT_TRANSACT,
         *nttrans_create_req('\\' + name, FILE_OVERWRITE_IF,
                             eas=ea_entry(b'TRUNCEA', b'kept')))
    _, st, _, raw = recv(s)
    p = nttrans_params(raw) if st == 0 else b''
    ok = st == 0 and len(p) >= 69
    expect('NT_TRANSACT_CREATE OVERWRITE_IF of a %d-byte file succeeds' %
           size, ok, 'status 0x%08x, %d parameter bytes' % (st, len(p)))
    if not ok:
        return
    fid, action = struct.unpack_from('<HI', p, 2)
    eof = struct.unpack_from('<Q', p, 56)[0]
    expect('NT_TRANSACT_CREATE %d bytes: FILE_WAS_OVERWRITTEN, end of '
           'file 0 in the reply' % size,
           action == FILE_WAS_OVERWRITTEN and eof == 0,
           'action %d eof %d' % (action, eof))
    expect('NT_TRANSACT_CREATE %d bytes: 0 bytes on disk' % size,
           os.stat(path).st_size == 0, os.stat(path).st_size)
    eas = [x for x in os.listxattr(path) if 'truncea' in x.lower()]
    expect('NT_TRANSACT_CREATE %d bytes: the EA asked for is set' % size,
           len(eas) == 1 and os.getxattr(path, eas[0]).endswith(b'kept'),
           os.listxattr(path))
    written_after(s, tid, fid, path, 'NT_TRANSACT_CREATE %d bytes' % size)


def check_core_create(c, s, tid, share_dir, name, size):
    """CREATE (0x03) replaces an existing file."""
    path = prepare(c, share_dir, name, size)
    st, w, _ = call(s, tid, SMB_COM_CREATE, *core_create_req('\\' + name))
    ok = st == 0 and len(w) >= 2
    expect('CREATE of an existing %d-byte file succeeds' % size, ok,
           'status 0x%08x' % st)
    if not ok:
        return
    fid = struct.unpack_from('<H', w)[0]
    expect('CREATE %d bytes: 0 bytes on disk' % size,
           os.stat(path).st_size == 0, os.stat(path).st_size)
    written_after(s, tid, fid, path, 'CREATE %d bytes' % size)


def check_open2(c, s, tid, share_dir, name, size):
    """TRANS2_OPEN2 with OpenMode create-or-truncate."""
    path = prepare(c, share_dir, name, size)
    send(s, tid, smb.SMB.SMB_COM_TRANSACTION2, *open2_req('\\' + name))
    _, st, _, raw = recv(s)
    p = trans2_params(raw) if st == 0 else b''
    ok = st == 0 and len(p) >= 20
    expect('TRANS2_OPEN2 truncate of a %d-byte file succeeds' % size, ok,
           'status 0x%08x, %d parameter bytes' % (st, len(p)))
    if not ok:
        return
    fid, = struct.unpack_from('<H', p, 0)
    fsize, = struct.unpack_from('<I', p, 8)
    taken, = struct.unpack_from('<H', p, 18)
    expect('TRANS2_OPEN2 %d bytes: truncated (ActionTaken 3), size 0 in '
           'the reply' % size, taken == 3 and fsize == 0,
           'action %d size %d' % (taken, fsize))
    expect('TRANS2_OPEN2 %d bytes: 0 bytes on disk' % size,
           os.stat(path).st_size == 0, os.stat(path).st_size)
    written_after(s, tid, fid, path, 'TRANS2_OPEN2 %d bytes' % size)


def deny_round(c, s, tid, share_dir, what, req):
    """One overwrite of a HUGE file that shares nothing, and on its heels
    on the same connection an open of the same file: that one is
    SHARING_VIOLATION whenever it comes. True if it was answered first,
    while the overwrite's truncate ran."""
    name = 'ovw_deny_%s.bin' % what.lower()
    path = prepare(c, share_dir, name, HUGE)
    send(s, tid, req[0], *req[1]('\\' + name), mid=0x5001)
    send(s, tid, smb.SMB.SMB_COM_NT_CREATE_ANDX,
         *ntcreate_req('\\' + name, FILE_OPEN, oplock=False), mid=0x5002)
    got = {}
    order = []
    for _ in range(2):
        mid, st, w, raw = recv(s)
        got[mid] = (st, w, raw)
        order.append(mid)
    st1, w1, raw1 = got.get(0x5001, (None, b'', b''))
    st2 = got.get(0x5002, (None,))[0]
    expect('%s of a 64 MiB file denying all succeeds' % what, st1 == 0,
           'status %r' % st1)
    expect('%s: an open of the file meanwhile is SHARING_VIOLATION' % what,
           st2 == SHARING_VIOLATION, 'status %r' % st2)
    if st1 == 0:
        if req[0] == smb.SMB.SMB_COM_NT_TRANSACT:
            fid = struct.unpack_from('<H', nttrans_params(raw1), 2)[0]
        else:
            fid = struct.unpack_from('<H', w1, 5)[0]
        expect('%s: 0 bytes on disk' % what, os.stat(path).st_size == 0,
               os.stat(path).st_size)
        written_after(s, tid, fid, path, '%s 64 MiB' % what)
    os.unlink(path)
    return order[0] == 0x5002


def share_modes_hold(c, s, tid, share_dir, what, req):
    """deny_round until the conflicting open was answered during the
    truncate (about 0.25 s for prepare()'s 64 MiB here, the second
    request follows in under 1 ms): a few tries on a busy machine."""
    # no Nagle: the second request goes out before the first's reply
    # acknowledges the first
    s.get_socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    during = False
    for _ in range(5):
        if deny_round(c, s, tid, share_dir, what, req):
            during = True
            break
    expect('%s: the conflicting open was answered while the overwrite '
           'truncated (share modes hold then)' % what, during,
           'answered after it, 5 times')


def dropped_meanwhile(host, port, user, pw, c, s, tid, share_dir, what,
                      req):
    """A client that drops its connection right after asking for the
    overwrite of a HUGE file: the server keeps answering and closes the
    open (an open that shares nothing gets in)."""
    name = 'ovw_drop_%s.bin' % what.lower()
    path = prepare(c, share_dir, name, HUGE)
    c2, tid2 = connect(host, port, user, pw)
    s2 = c2.getSMBServer()
    send(s2, tid2, req[0], *req[1]('\\' + name))
    s2.close_session()
    deadline = time.time() + 10
    st = None
    while time.time() < deadline:
        st, w = ntcreate_deny_all(s, tid, '\\' + name)
        if st == 0:
            close(s, tid, struct.unpack_from('<H', w, 5)[0])
            break
        time.sleep(0.05)
    expect('%s, client gone during the truncate: its open is closed '
           '(an open denying all gets in)' % what, st == 0,
           'status 0x%08x' % (st or 0))
    st, _, _ = call(s, tid, smb.SMB.SMB_COM_ECHO, struct.pack('<H', 1),
                    b'ping')
    expect('%s, client gone during the truncate: the server answers' %
           what, st == 0, '0x%08x' % st)
    os.unlink(path)


def ntcreate_deny_all(s, tid, name):
    """NT_CREATE_ANDX FILE_OPEN denying all: (status, words)."""
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_NT_CREATE_ANDX,
                    *ntcreate_req(name, FILE_OPEN, share=0,
                                  oplock=False))
    return st, w


CAP_LEVEL_II_OPLOCKS = 0x80
LEVEL_II = 3
OPLOCK_RELEASE = 0x02


def connect_level2(host, port, user, pw):
    """connect() of a client that takes level II oplocks (impacket's
    SESSION_SETUP_ANDX does not say so: its capabilities are built from
    the class's CAP_ constants, one of which carries the bit meanwhile)."""
    saved = smb.SMB.CAP_LARGE_WRITEX
    smb.SMB.CAP_LARGE_WRITEX = saved | CAP_LEVEL_II_OPLOCKS
    try:
        return connect(host, port, user, pw)
    finally:
        smb.SMB.CAP_LARGE_WRITEX = saved


def readable(s, timeout):
    return bool(select.select([s.get_socket()], [], [], timeout)[0])


def break_of(s2, fid, timeout):
    """The first oplock break request (LOCKING_ANDX, MID 0xFFFF) for fid
    on s2 within timeout seconds: its NewOpLockLevel, or None."""
    deadline = time.time() + timeout
    while readable(s2, max(0, deadline - time.time())):
        mid, _, w, raw = recv(s2)
        if mid == 0xFFFF and raw[4] == smb.SMB.SMB_COM_LOCKING_ANDX and \
                len(w) >= 8 and struct.unpack_from('<H', w, 4)[0] == fid \
                and w[6] & OPLOCK_RELEASE:
            return w[7]
    return None


def close_skipping_breaks(s, tid, fid):
    """CLOSE of fid; oplock breaks that come before its reply are
    skipped."""
    send(s, tid, smb.SMB.SMB_COM_CLOSE, struct.pack('<HI', fid, 0), b'')
    while recv(s)[0] == 0xFFFF:
        pass


def cache_round(c, s, tid, s2, tid2, share_dir, what, req):
    """One overwrite of a HUGE file that shares all and, once its
    truncate has begun, an open of the file from s2 asking a batch
    oplock: (answered during the truncate, its level). During the
    truncate it gets level II at most, and a level II breaks to none
    once the truncate is done."""
    name = 'ovw_cache_%s.bin' % what.lower()
    path = prepare(c, share_dir, name, HUGE)
    full = os.stat(path).st_blocks
    send(s, tid, req[0], *req[1]('\\' + name), mid=0x5101)
    deadline = time.time() + 10
    while os.stat(path).st_size == HUGE and time.time() < deadline:
        pass
    send(s2, tid2, smb.SMB.SMB_COM_NT_CREATE_ANDX,
         *ntcreate_req('\\' + name, FILE_OPEN), mid=0x5102)
    # one loop serves both connections (one client address) and writes
    # each turn's replies at its end: the open's reply in while the
    # overwrite's is not, the open came during the truncate (both in
    # when we look: unknown, taken as after)
    # and the truncate had freed less than half of the file's blocks then
    # (a loop that waited for it, in a stat of the file, answers near its
    # end or after)
    socks = [s.get_socket(), s2.get_socket()]
    during = select.select(socks, [], [], 30)[0] == socks[1:] and \
        os.stat(path).st_blocks > full // 2
    _, st2, w2, _ = recv(s2)
    _, st1, w1, raw1 = recv(s)
    expect('%s sharing all, and an open meanwhile from another '
           'connection: both succeed' % what, st1 == 0 and st2 == 0,
           '0x%08x, 0x%08x' % (st1 or 0, st2 or 0))
    level = None
    if st2 == 0:
        level, fid2 = struct.unpack_from('<BH', w2, 4)
        if during:
            expect('%s: the open during the truncate gets level II at '
                   'most' % what, level in (0, LEVEL_II),
                   'level %d' % level)
        if during and level == LEVEL_II:
            got = break_of(s2, fid2, 2)
            expect('%s: its level II oplock breaks to none once the '
                   'truncate is done' % what, got == 0,
                   'no break' if got is None else 'to level %d' % got)
        # after the truncate an open that came during it may see its
        # break late: before the CLOSE's reply
        close_skipping_breaks(s2, tid2, fid2)
    if st1 == 0:
        if req[0] == smb.SMB.SMB_COM_NT_TRANSACT:
            fid = struct.unpack_from('<H', nttrans_params(raw1), 2)[0]
        elif req[0] == smb.SMB.SMB_COM_TRANSACTION2:
            fid = struct.unpack_from('<H', trans2_params(raw1), 0)[0]
        else:
            fid = struct.unpack_from('<H', w1, 5)[0]
        expect('%s sharing all: 0 bytes on disk' % what,
               os.stat(path).st_size == 0, os.stat(path).st_size)
        close(s, tid, fid)
    os.unlink(path)
    return during, level


def caching_breaks(c, s, tid, s2, tid2, share_dir, what, req):
    """cache_round until the open came during the truncate with level
    II."""
    s.get_socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s2.get_socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    seen = []
    got = False
    for _ in range(5):
        during, level = cache_round(c, s, tid, s2, tid2, share_dir, what,
                                    req)
        seen.append('%s level %s' % ('during' if during else 'after',
                                     level))
        got = during and level == LEVEL_II
        if got:
            break
    print('# %s sharing all, open from another connection: %s' %
          (what, ', '.join(seen)), flush=True)
    expect('%s: an open from another connection came during the truncate '
           'and got level II' % what, got,
           ', '.join(seen))


DENY_ALL = {
    'NT_CREATE_ANDX': (smb.SMB.SMB_COM_NT_CREATE_ANDX,
                       lambda n: ntcreate_req(n, FILE_OVERWRITE_IF,
                                              share=0, oplock=False)),
    'NT_TRANSACT_CREATE': (smb.SMB.SMB_COM_NT_TRANSACT,
                           lambda n: nttrans_create_req(
                               n, FILE_OVERWRITE_IF, share=0)),
}
SHARE_ALL = {
    'NT_CREATE_ANDX': (smb.SMB.SMB_COM_NT_CREATE_ANDX,
                       lambda n: ntcreate_req(n, FILE_OVERWRITE_IF,
                                              oplock=False)),
    'NT_TRANSACT_CREATE': (smb.SMB.SMB_COM_NT_TRANSACT,
                           lambda n: nttrans_create_req(
                               n, FILE_OVERWRITE_IF)),
    'TRANS2_OPEN2': (smb.SMB.SMB_COM_TRANSACTION2, open2_req),
}
ANY = {
    'NT_CREATE_ANDX': (smb.SMB.SMB_COM_NT_CREATE_ANDX,
                       lambda n: ntcreate_req(n, FILE_OVERWRITE_IF)),
    'NT_TRANSACT_CREATE': (smb.SMB.SMB_COM_NT_TRANSACT,
                           lambda n: nttrans_create_req(
                               n, FILE_OVERWRITE_IF)),
    'TRANS2_OPEN2': (smb.SMB.SMB_COM_TRANSACTION2, open2_req),
}


def main():
    host, port, user, pw, share_dir = sys.argv[1:6]
    c, tid = connect(host, port, user, pw)
    s = c.getSMBServer()
    checks = (('ovw', check_ntcreate), ('ovwx', check_openx),
              ('ovwt', check_nttrans), ('ovwc', check_core_create),
              ('ovw2', check_open2))
    for prefix, check in checks:
        check(c, s, tid, share_dir, prefix + '_big.bin', BIG)
        check(c, s, tid, share_dir, prefix + '_small.bin', 4096)
    # the connection still answers after the worker's truncates
    st, _, _ = call(s, tid, smb.SMB.SMB_COM_ECHO, struct.pack('<H', 1),
                    b'ping')
    expect('ECHO after the overwrites', st == 0, '0x%08x' % st)
    for what, req in DENY_ALL.items():
        share_modes_hold(c, s, tid, share_dir, what, req)
    c2, tid2 = connect_level2(host, port, user, pw)
    for what, req in SHARE_ALL.items():
        caching_breaks(c, s, tid, c2.getSMBServer(), tid2, share_dir, what,
                       req)
    c2.close()
    for what, req in ANY.items():
        dropped_meanwhile(host, port, user, pw, c, s, tid, share_dir, what,
                          req)
    for prefix, _ in checks:
        for n in (prefix + '_big.bin', prefix + '_small.bin'):
            os.unlink(os.path.join(share_dir, n))
    c.close()
    sys.exit(1 if FAILS else 0)


if __name__ == '__main__':
    main()
