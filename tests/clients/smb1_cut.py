#!/usr/bin/python3
"""smb1_cut.py PORT SHARE_DIR RO_DIR - an SMB1 request that cuts a large
file leaves the event loop free while its truncate runs (test_smb1_cut.sh
starts the daemon with SMB1 on and runs it).

TRANS2 SET_FILE_INFORMATION and SET_PATH_INFORMATION of end of file or
allocation, and a core WRITE of count 0 (it sets the size), that free
1 MiB or more (fs/openpath.h SMBD_TRUNC_OFFLOAD_MIN) truncate on a
worker (smb1/file.c smb1_cut_send): ext4 frees a file's extents one by
one, a quarter second for the 64 MiB of thousands of extents made here
(wgcheck grow_slow_to_truncate), which on the loop would hold every
other connection it serves.

Two SMB1 connections from the same address (one loop serves both): one
cuts the file, the other sends an ECHO about 5 ms later. No timing
threshold: the ECHO's reply must come while the file still holds more
than half of its blocks (the truncate is under way, not done). The cut
succeeds, the file has the size set, and what lay below the cut is
intact; once more with the SET_FILE_INFORMATION in two pieces (its data
in a TRANSACTION2_SECONDARY: smb1/reasm.c). Small cuts (64 KiB off
1 MiB, on the loop) answer too.

Then clients that leave during a cut: the socket closed right after the
request or once the truncate began, a TREE_DISCONNECT or a LOGOFF behind
it. The server answers another connection, the file ends cut (or whole
where the connection ended before a worker took the job up, which the
pool then drops), and the open (a SET_PATH_INFORMATION's own too) is
closed: an open that shares nothing gets in. Under ASan the server log
is checked for leaks and memory errors (lib.sh wg_check_log).
"""
import os
import socket
import struct
import sys
import time

from impacket import smb

import wgcheck
from smb1raw import FAILS, call, connect, expect, send, status_of

HOST = os.environ.get("WG_HOST", "127.0.0.1")
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
USER, PASSWORD = "alice", "Passw0rd!"
KIB = 1024
MIB = 1024 * KIB
HUGE = 64 * MIB
HEAD = 128 * KIB            # a known pattern at the start of the file

SMB_COM_WRITE = 0x0B
SMB_COM_TREE_DISCONNECT = 0x71
SMB_COM_LOGOFF_ANDX = 0x74
SMB_COM_TRANSACTION2 = 0x32
SMB_COM_TRANSACTION2_SECONDARY = 0x33
SET_PATH_INFORMATION = 0x06
SET_FILE_INFORMATION = 0x08
SET_FILE_ALLOCATION_INFO = 0x0103
SET_FILE_END_OF_FILE_INFO = 0x0104
PASSTHROUGH_EOF = 1000 + 20      # FileEndOfFileInformation
FILE_OPEN = 1
FILE_OVERWRITE_IF = 5


def logged_on():
    """An SMB1 session and tree connect to [demo]: (smb.SMB, tid)."""
    c, tid = connect(HOST, PORT, USER, PASSWORD)
    s = c.getSMBServer()
    # no Nagle: a request goes out at once, not behind an ACK
    s.get_socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, tid


def recv(s):
    """The next reply: (MID, command, status, packet bytes)."""
    r = s.recvSMB()
    return r['Mid'], r['Command'], status_of(r), r.getData()


def reply_to(s, mid):
    """The reply to mid (others before it are skipped): (status, raw)."""
    while True:
        m, _, st, raw = recv(s)
        if m == mid:
            return st, raw


def ntcreate(s, tid, name, disposition=FILE_OPEN, share=7):
    """NT_CREATE_ANDX of name read/write: (status, FID)."""
    uname = name.encode('utf-16le') + b'\0\0'
    words = struct.pack('<BBHBHIIIQIIIIIB', 0xFF, 0, 0, 0, len(uname),
                        0, 0, 0x0012019F, 0, 0x80, share, disposition,
                        0x40, 2, 0)
    st, w, _ = call(s, tid, smb.SMB.SMB_COM_NT_CREATE_ANDX, words,
                    b'\0' + uname)
    return st, (struct.unpack_from('<H', w, 5)[0] if st == 0 else None)


def close(s, tid, fid):
    call(s, tid, smb.SMB.SMB_COM_CLOSE, struct.pack('<HI', fid, 0), b'')


def data_off(nwords):
    """Where a request's data block starts: header, wct, words, bcc."""
    return 32 + 1 + 2 * nwords + 2


def trans2_msg(sub, param, data, send_data=True):
    """A TRANSACTION2 primary of subcommand sub: (words, data block).
    send_data False: its data is announced, left to a secondary."""
    base = data_off(15)
    pad = (4 - base % 4) % 4
    poff = base + pad
    dpad = (4 - (poff + len(param)) % 4) % 4
    doff = poff + len(param) + dpad
    sent = data if send_data else b''
    w = struct.pack('<HHHHBBHIHHHHHBBH', len(param), len(data), 64, 1024,
                    0, 0, 0, 0, 0, len(param), poff, len(sent),
                    doff if sent else 0, 1, 0, sub)
    return w, b'\0' * pad + param + (b'\0' * dpad + sent if sent else b'')


def trans2_data_secondary(param_total, data):
    """The TRANSACTION2_SECONDARY carrying all of a primary's data."""
    base = data_off(9)
    w = struct.pack('<HHHHHHHHH', param_total, len(data), 0, 0, 0,
                    len(data), base, 0, 0xFFFF)
    return w, data


def set_file_msg(fid, level, size):
    return trans2_msg(SET_FILE_INFORMATION, struct.pack('<HHH', fid, level,
                                                        0),
                      struct.pack('<Q', size))


def set_path_msg(name, level, size):
    param = struct.pack('<HI', level, 0) + name.encode('utf-16le') + \
        b'\0\0'
    return trans2_msg(SET_PATH_INFORMATION, param, struct.pack('<Q', size))


def write0_msg(fid, offset):
    """A core WRITE [MS-CIFS 2.2.4.12] of count 0 at offset: it sets the
    file's size to offset."""
    return (struct.pack('<HHIH', fid, 0, offset, 0),
            b'\x01' + struct.pack('<H', 0))


def prepare(s, tid, name, size, slow=True):
    """name of size bytes, made through the share (the server's own
    file), a known pattern in its first HEAD bytes, then (slow)
    thousands of extents, for its truncate to take long enough to send a
    request during it (wgcheck). (path, its first 2 MiB)."""
    path = os.path.join(SHARE, name)
    st, fid = ntcreate(s, tid, '\\' + name, FILE_OVERWRITE_IF)
    if st != 0:
        raise RuntimeError('create %s: 0x%08x' % (name, st))
    close(s, tid, fid)
    return path, wgcheck.fill_for_cut(path, size, HEAD, slow)


def echo(s, tid):
    st, _, _ = call(s, tid, smb.SMB.SMB_COM_ECHO, struct.pack('<H', 1),
                    b'ping')
    return st


# (label, how the request is made from (fid, name), size cut to)
BIG = [
    ('SET_FILE_INFORMATION END_OF_FILE to 1 MiB + 7',
     lambda fid, n: (SMB_COM_TRANSACTION2,
                     set_file_msg(fid, SET_FILE_END_OF_FILE_INFO,
                                  MIB + 7)), MIB + 7),
    ('SET_FILE_INFORMATION ALLOCATION to 0',
     lambda fid, n: (SMB_COM_TRANSACTION2,
                     set_file_msg(fid, SET_FILE_ALLOCATION_INFO, 0)), 0),
    ('SET_PATH_INFORMATION ALLOCATION to 1 MiB + 7',
     lambda fid, n: (SMB_COM_TRANSACTION2,
                     set_path_msg('\\' + n, SET_FILE_ALLOCATION_INFO,
                                  MIB + 7)), MIB + 7),
    ('SET_PATH_INFORMATION EndOfFile (pass-through) to 0',
     lambda fid, n: (SMB_COM_TRANSACTION2,
                     set_path_msg('\\' + n, PASSTHROUGH_EOF, 0)), 0),
    ('WRITE of count 0 at 1 MiB + 7',
     lambda fid, n: (SMB_COM_WRITE, write0_msg(fid, MIB + 7)), MIB + 7),
    ('WRITE of count 0 at 0',
     lambda fid, n: (SMB_COM_WRITE, write0_msg(fid, 0)), 0),
]


def big_cut(a, b, i, label, make, size, pieces=False):
    """a cuts a HUGE file to size; b's ECHO, sent about 5 ms later, is
    answered while the file still holds more than half of its blocks."""
    sa, ta = a
    what = '%s of a 64 MiB file%s' % (label, ' (in two pieces)'
                                      if pieces else '')
    name = 'cut_%d.bin' % i
    path, head = prepare(sa, ta, name, HUGE)
    _, fid = ntcreate(sa, ta, '\\' + name)
    blocks = os.stat(path).st_blocks
    mid = 0x6000 + i
    if pieces:
        # the primary without its 8 bytes of data, then a secondary
        cmd = SMB_COM_TRANSACTION2
        send(sa, ta, cmd, *trans2_msg(SET_FILE_INFORMATION,
                                      struct.pack('<HHH', fid,
                                                  SET_FILE_END_OF_FILE_INFO,
                                                  0),
                                      struct.pack('<Q', size),
                                      send_data=False), mid=mid)
        st, _ = reply_to(sa, mid)
        expect(what + ': the interim response', st == 0, '0x%08x' % st)
        send(sa, ta, SMB_COM_TRANSACTION2_SECONDARY,
             *trans2_data_secondary(6, struct.pack('<Q', size)), mid=mid)
    else:
        cmd, msg = make(fid, name)
        send(sa, ta, cmd, *msg, mid=mid)
    time.sleep(0.005)
    t0 = time.monotonic()
    st = echo(*b)
    t1 = time.monotonic()
    left = os.stat(path).st_blocks
    expect('%s: an ECHO on another connection is answered during the '
           'truncate' % what, st == 0 and left * 2 > blocks,
           'the file held %d of its %d blocks when the ECHO\'s reply came '
           '(%.1f ms, status 0x%08x): the truncate was over' %
           (left, blocks, (t1 - t0) * 1e3, st))
    print('# %s: the ECHO took %.1f ms, %d of %d blocks left then' %
          (what, (t1 - t0) * 1e3, left, blocks), flush=True)
    st, raw = reply_to(sa, mid)
    expect(what + ' succeeds', st == 0, '0x%08x' % st)
    if cmd == SMB_COM_WRITE and st == 0:
        expect(what + ': the reply says 0 written', raw[32] == 1 and
               struct.unpack_from('<H', raw, 33)[0] == 0, raw[32:40].hex())
    if cmd == SMB_COM_TRANSACTION2 and st == 0:
        expect(what + ': answered as a TRANSACTION2 with its 2 parameter '
               'bytes', raw[4] == SMB_COM_TRANSACTION2 and raw[32] == 10 and
               struct.unpack_from('<H', raw, 33)[0] == 2, raw[:40].hex())
    wgcheck.cut_intact(path, head, size, what)
    close(sa, ta, fid)
    # every open of it closed, SET_PATH_INFORMATION's own among them
    open_denying_all(sa, ta, name, what)
    os.unlink(path)


def small_cuts(a):
    """64 KiB off a 1 MiB file by each request: on the loop, answered as
    ever."""
    sa, ta = a
    done = set()
    for i, (label, make, _) in enumerate(BIG):
        what = '%s, 64 KiB off a 1 MiB file' % label.split(' to ')[0] \
            .split(' at ')[0]
        if what in done:
            continue
        done.add(what)
        name = 'cut_small_%d.bin' % i
        path, head = prepare(sa, ta, name, MIB, slow=False)
        _, fid = ntcreate(sa, ta, '\\' + name)
        size = MIB - 64 * KIB
        cmd, _ = make(fid, name)
        if cmd == SMB_COM_WRITE:
            msg = write0_msg(fid, size)
        elif 'SET_PATH' in label:
            msg = set_path_msg('\\' + name, SET_FILE_ALLOCATION_INFO
                               if 'ALLOC' in label else PASSTHROUGH_EOF,
                               size)
        else:
            msg = set_file_msg(fid, SET_FILE_ALLOCATION_INFO
                               if 'ALLOC' in label else
                               SET_FILE_END_OF_FILE_INFO, size)
        st, _, _ = call(sa, ta, cmd, *msg)
        expect(what + ' succeeds', st == 0, '0x%08x' % st)
        wgcheck.cut_intact(path, head, size, what)
        close(sa, ta, fid)
        os.unlink(path)


def open_denying_all(s, tid, name, what):
    """Until it gets in (10 s): an open of name that shares nothing."""
    deadline = time.monotonic() + 10
    st = None
    while time.monotonic() < deadline:
        st, fid = ntcreate(s, tid, '\\' + name, share=0)
        if st == 0:
            close(s, tid, fid)
            break
        time.sleep(0.05)
    expect(what + ': its open is closed (an open denying all gets in)',
           st == 0, '0x%08x' % (st or 0))


def ends_cut(path, what):
    """Within 10 s the file is 0 bytes and holds (almost) no blocks; or
    it stays whole: a cut whose connection ended before a worker took its
    job up is dropped (fs/workers.h). Nothing else."""
    deadline = time.monotonic() + 10
    st = os.stat(path)
    while (st.st_size != 0 or st.st_blocks > 8) and \
            time.monotonic() < deadline:
        if st.st_size == HUGE:
            time.sleep(0.5)     # a truncate would have begun by then
            st = os.stat(path)
            if st.st_size == HUGE:
                break
        time.sleep(0.02)
        st = os.stat(path)
    cut = st.st_size == 0 and st.st_blocks <= 8
    print('# %s: the file ends %s' % (what, 'cut' if cut else 'whole'
                                      if st.st_size == HUGE else
                                      '%d bytes' % st.st_size), flush=True)
    expect(what + ': the file ends cut or whole', cut or st.st_size == HUGE,
           '%d bytes, %d blocks' % (st.st_size, st.st_blocks))


def truncating(path, timeout=10):
    """Wait until the file at path is no longer HUGE bytes: a worker's
    truncate has begun (it sets the size first, then frees the
    blocks)."""
    deadline = time.monotonic() + timeout
    while os.stat(path).st_size == HUGE and time.monotonic() < deadline:
        pass


DROPS = [
    ('SET_FILE_INFORMATION', 'socket'), ('SET_FILE_INFORMATION', 'late'),
    ('SET_PATH_INFORMATION', 'socket'), ('SET_PATH_INFORMATION', 'late'),
    ('SET_PATH_INFORMATION', 'tree'), ('WRITE', 'late'),
    ('SET_FILE_INFORMATION', 'tree'), ('WRITE', 'logoff'),
]


def dropped(a, req, how):
    """A client that leaves (how: 'socket', 'late', 'tree', 'logoff')
    right after sending req, a cut of a HUGE file to 0: it closes its
    socket at once or once the truncate has begun, or sends a
    TREE_DISCONNECT or a LOGOFF_ANDX behind it."""
    sa, ta = a
    what = '%s, %s' % (req, {
        'socket': 'client gone right after its cut',
        'late': 'client gone during its cut',
        'tree': 'TREE_DISCONNECT behind the cut',
        'logoff': 'LOGOFF behind the cut'}[how])
    name = 'cut_drop_%s_%s.bin' % (req.lower(), how)
    path, _ = prepare(sa, ta, name, HUGE)
    sd, td = logged_on()
    _, fid = ntcreate(sd, td, '\\' + name)
    if req == 'SET_FILE_INFORMATION':
        cmd, msg = SMB_COM_TRANSACTION2, set_file_msg(
            fid, SET_FILE_END_OF_FILE_INFO, 0)
    elif req == 'SET_PATH_INFORMATION':
        close(sd, td, fid)
        cmd, msg = SMB_COM_TRANSACTION2, set_path_msg(
            '\\' + name, PASSTHROUGH_EOF, 0)
    else:
        cmd, msg = SMB_COM_WRITE, write0_msg(fid, 0)
    send(sd, td, cmd, *msg, mid=0x7001)
    if how in ('socket', 'late'):
        if how == 'late':
            truncating(path)
        sd.get_socket().close()
    else:
        truncating(path)
        if how == 'tree':
            send(sd, td, SMB_COM_TREE_DISCONNECT, b'', b'', mid=0x7002)
        else:
            send(sd, td, SMB_COM_LOGOFF_ANDX,
                 struct.pack('<BBH', 0xFF, 0, 0), b'', mid=0x7002)
        got = {}
        for _ in range(2):
            m, _, st, _ = recv(sd)
            got[m] = st
        expect(what + ': the cut is answered', 0x7001 in got,
               'replies to %s' % sorted(got))
        print('# %s: the cut answered 0x%08x' % (what, got.get(0x7001, 0)),
              flush=True)
        expect(what + ': it is answered', got.get(0x7002) == 0,
               '0x%08x' % (got.get(0x7002) or 0))
        sd.get_socket().close()
    expect(what + ': the server answers another connection',
           echo(sa, ta) == 0)
    ends_cut(path, what)
    open_denying_all(sa, ta, name, what)
    expect(what + ', afterwards: the server answers', echo(sa, ta) == 0)
    os.unlink(path)


def main():
    a = logged_on()
    b = logged_on()
    for i, (label, make, size) in enumerate(BIG):
        big_cut(a, b, i, label, make, size)
    big_cut(a, b, len(BIG), 'SET_FILE_INFORMATION END_OF_FILE to 0',
            None, 0, pieces=True)
    small_cuts(a)
    b[0].get_socket().close()
    for req, how in DROPS:
        dropped(a, req, how)
    print('# smb1_cut.py: %d failed' % (len(FAILS) + wgcheck.failed))
    return 1 if FAILS or wgcheck.failed else 0


if __name__ == '__main__':
    sys.exit(main())
