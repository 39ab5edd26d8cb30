#!/usr/bin/python3
"""smb1_trans.py HOST PORT USER PASS SHARE_DIR WGNET CONF - SMB1
transactions in pieces and NT_TRANSACT against wgsmbd with SMB1 on
(impacket's SMB1 dialect logs on and opens; the transactions are built
by hand):
 - a TRANS2 QUERY_FS_INFORMATION whose parameters come in a
   TRANSACTION2_SECONDARY is answered once whole, as a TRANSACTION2;
 - an NT_TRANSACT QUERY_SECURITY_DESC whose parameters come in two
   NT_TRANSACT_SECONDARY requests returns the descriptor;
 - a transaction announcing more than 64 KiB, and a fifth one left
   incomplete while four are, get STATUS_INSUFFICIENT_RESOURCES, and
   `wgnet statistics` counts trans_reassembly hits for both;
 - a secondary nobody started is not answered (the next ECHO is);
 - NT_TRANSACT IOCTL: SET_SPARSE, SET_ZERO_DATA (checked on disk),
   QUERY_ALLOCATED_RANGES, GET/SET_OBJECT_ID;
 - NT_TRANSACT NOTIFY_CHANGE waits, and is answered with the name of a
   file made in the directory; a second one ends STATUS_CANCELLED by
   NT_CANCEL.
Exit 0 if all hold."""
import os
import struct
import sys


from smb1raw import FAILS, connect, expect, send, wgnet_counter

OK = 0
PENDING_NONE = None
INSUFFICIENT_RESOURCES = 0xC000009A
CANCELLED = 0xC0000120

class Raw:
    """Hand-built SMB1 requests on impacket's session (it signs them)."""

    def __init__(self, conn, tid):
        self.s = conn.getSMBServer()
        self.tid = tid
        self.mid = 0x4000

    def send(self, cmd, words, data=b'', mid=None):
        send(self.s, self.tid, cmd, words, data,
             self.mid if mid is None else mid)

    def recv(self):
        r = self.s.recvSMB().getData()
        return r[4], struct.unpack('<I', r[5:9])[0], r

    def next_mid(self):
        self.mid += 1
        return self.mid


def data_off(nwords):
    """Where a request's data block starts: header, wct, words, bcc."""
    return 32 + 1 + 2 * nwords + 2


def trans2(raw, setup, param, data, tparam, tdata, mid):
    """A TRANSACTION2 primary carrying param/data of tparam/tdata."""
    nw = 14 + 1
    base = data_off(nw) + 1  # a pad byte, the Name
    w = struct.pack('<HHHHBBHIHHHHHBB', tparam, tdata, 64, 1024, 0, 0, 0,
                    0, 0, len(param), base if param else 0, len(data),
                    base + len(param) if data else 0, 1, 0)
    w += struct.pack('<H', setup)
    raw.send(0x32, w, b'\0' + param + data, mid)


def trans2_secondary(raw, param, disp, tparam, mid):
    nw = 9
    base = data_off(nw)
    w = struct.pack('<HHHHHHHHH', tparam, 0, len(param), base, disp, 0, 0,
                    0, 0xFFFF)
    raw.send(0x33, w, param, mid)


def nttrans(raw, function, setup, param, data, tparam, tdata, mid,
            max_param=1024):
    nw = 19 + len(setup) // 2
    base = data_off(nw)
    pad = (4 - base % 4) % 4
    poff = base + pad
    doff = poff + len(param)
    w = struct.pack('<BHIIIIIIIIBH', 0, 0, tparam, tdata, max_param, 4096,
                    len(param), poff if param else 0, len(data),
                    doff if data else 0, len(setup) // 2, function) + setup
    raw.send(0xA0, w, b'\0' * pad + param + data, mid)


def nttrans_secondary(raw, param, disp, tparam, mid):
    base = data_off(18)
    w = b'\0' * 3 + struct.pack('<IIIIIIIIB', tparam, 0, len(param), base,
                                disp, 0, 0, 0, 0)
    raw.send(0xA1, w, param, mid)


def echo(raw, mid):
    raw.send(0x2B, struct.pack('<H', 1), b'echo', mid)
    return raw.recv()


def wgnet_hits(wgnet, conf):
    return wgnet_counter(wgnet, conf, 'trans_reassembly')


def pieces(raw):
    # QUERY_FS_INFORMATION (3), level FS_SIZE_INFO (0x103): the 2 bytes of
    # parameters in a secondary
    mid = raw.next_mid()
    trans2(raw, 3, b'', b'', 2, 0, mid)
    cmd, st, _ = raw.recv()
    expect('TRANS2 in pieces: interim response', cmd == 0x32 and st == OK,
           'cmd 0x%02x status 0x%08x' % (cmd, st))
    trans2_secondary(raw, struct.pack('<H', 0x103), 0, 2, mid)
    cmd, st, r = raw.recv()
    expect('TRANS2 in pieces: answered whole as a TRANSACTION2',
           cmd == 0x32 and st == OK and r[32] == 10,
           'cmd 0x%02x status 0x%08x wct %d' % (cmd, st, r[32]))
    tdata = struct.unpack('<H', r[35:37])[0]
    expect('TRANS2 in pieces: FS_SIZE_INFO has its 24 bytes', tdata == 24,
           tdata)


def query_sd_pieces(raw, fid):
    mid = raw.next_mid()
    param = struct.pack('<HHI', fid, 0, 0x7)  # owner, group, DACL
    nttrans(raw, 6, b'', param[:3], b'', 8, 0, mid)
    cmd, st, _ = raw.recv()
    expect('NT_TRANSACT in pieces: interim response',
           cmd == 0xA0 and st == OK, 'status 0x%08x' % st)
    nttrans_secondary(raw, param[3:5], 3, 8, mid)
    nttrans_secondary(raw, param[5:], 5, 8, mid)
    cmd, st, r = raw.recv()
    tparam, tdata = struct.unpack('<II', r[36:44])
    expect('NT_TRANSACT QUERY_SECURITY_DESC in three pieces: the descriptor',
           cmd == 0xA0 and st == OK and tparam == 4 and tdata >= 20,
           'cmd 0x%02x status 0x%08x params %d data %d' %
           (cmd, st, tparam, tdata))


def budget(raw, wgnet, conf):
    hits0 = wgnet_hits(wgnet, conf) or 0
    mid = raw.next_mid()
    trans2(raw, 3, b'', b'', 0xFFFF, 0xFFFF, mid)
    cmd, st, _ = raw.recv()
    expect('a transaction announcing 128 KiB: INSUFFICIENT_RESOURCES',
           st == INSUFFICIENT_RESOURCES, 'status 0x%08x' % st)
    started = []
    for i in range(4):
        mid = raw.next_mid()
        nttrans(raw, 6, b'', b'\0\0', b'', 8, 0, mid)
        started.append(mid)
        cmd, st, _ = raw.recv()
        expect('incomplete transaction %d of 4: interim response' % (i + 1),
               st == OK, 'status 0x%08x' % st)
    mid = raw.next_mid()
    trans2(raw, 3, b'', b'', 2, 0, mid)
    cmd, st, _ = raw.recv()
    expect('a fifth incomplete transaction: INSUFFICIENT_RESOURCES',
           st == INSUFFICIENT_RESOURCES, 'status 0x%08x' % st)
    hits = wgnet_hits(wgnet, conf)
    expect('wgnet statistics counts both trans_reassembly hits',
           hits is not None and hits >= hits0 + 2, '%s -> %s' % (hits0, hits))
    # a secondary to nothing: no answer; the ECHO after it is answered
    nttrans_secondary(raw, b'zz', 0, 8, raw.next_mid())
    cmd, st, r = echo(raw, raw.next_mid())
    expect('a secondary nobody started is not answered', cmd == 0x2B,
           'got 0x%02x' % cmd)
    # finishing one of the four frees its slot for a new one
    nttrans_secondary(raw, b'\0' * 6, 2, 8, started[0])
    cmd, st, _ = raw.recv()
    expect('a finished transaction is answered (bad FID: INVALID_HANDLE)',
           cmd == 0xA0 and st == 0xC0000008, 'status 0x%08x' % st)
    mid = raw.next_mid()
    trans2(raw, 3, b'', b'', 2, 0, mid)
    cmd, st, _ = raw.recv()
    expect('then another may start', st == OK, 'status 0x%08x' % st)


def notify(raw, dfid, share_dir):
    mid = raw.next_mid()
    setup = struct.pack('<IHBB', 0x1, dfid, 0, 0)  # FILE_NAME
    nttrans(raw, 4, setup, b'', b'', 0, 0, mid, max_param=4096)
    # the ECHO's answer comes once the NOTIFY_CHANGE waits (in order)
    cmd, st, r = echo(raw, raw.next_mid())
    expect('NOTIFY_CHANGE waits (an ECHO after it is answered first)',
           cmd == 0x2B, 'got 0x%02x status 0x%08x' % (cmd, st))
    with open(os.path.join(share_dir, 'ntdir', 'seen.txt'), 'wb'):
        pass
    cmd, st, r = raw.recv()
    tparam = struct.unpack('<I', r[36:40])[0]
    poff = struct.unpack('<I', r[48:52])[0]
    name = r[poff + 12:poff + tparam].decode('utf-16le', 'replace')
    expect('NOTIFY_CHANGE answered with the new name',
           cmd == 0xA0 and st == OK and 'seen.txt' in name,
           'status 0x%08x %r' % (st, name))
    mid = raw.next_mid()
    nttrans(raw, 4, setup, b'', b'', 0, 0, mid, max_param=4096)
    raw.send(0xA4, b'', b'', mid)
    cmd, st, r = raw.recv()
    expect('NOTIFY_CHANGE then NT_CANCEL: CANCELLED',
           cmd == 0xA0 and st == CANCELLED, 'status 0x%08x' % st)


def ioctl(raw, function, fid, data):
    mid = raw.next_mid()
    nttrans(raw, 2, struct.pack('<IHBB', function, fid, 1, 0), b'', data,
            0, len(data), mid)
    cmd, st, r = raw.recv()
    out = b''
    if st in (OK, 0x80000005) and r[32] >= 19:
        dcount = struct.unpack('<I', r[56:60])[0]
        doff = struct.unpack('<I', r[60:64])[0]
        out = r[doff:doff + dcount]
    return cmd, st, out


def fsctls(raw, fid, share_dir):
    size = os.path.getsize(os.path.join(share_dir, 'sparse.bin'))
    cmd, st, _ = ioctl(raw, 0x000900C4, fid, b'\x01')
    expect('IOCTL FSCTL_SET_SPARSE', cmd == 0xA0 and st == OK,
           'status 0x%08x' % st)
    cmd, st, _ = ioctl(raw, 0x000980C8, fid,
                       struct.pack('<QQ', 4096, size))
    expect('IOCTL FSCTL_SET_ZERO_DATA of all but the first 4 KiB',
           st == OK, 'status 0x%08x' % st)
    with open(os.path.join(share_dir, 'sparse.bin'), 'rb') as f:
        body = f.read()
    expect('SET_ZERO_DATA zeroed the range on disk, and only it',
           len(body) == size and body[4096:] == b'\0' * (size - 4096) and
           body[:4096] != b'\0' * 4096)
    cmd, st, out = ioctl(raw, 0x000940CF, fid, struct.pack('<QQ', 0, size))
    ranges = [struct.unpack('<QQ', out[i:i + 16])
              for i in range(0, len(out), 16)]
    expect('IOCTL FSCTL_QUERY_ALLOCATED_RANGES: the data at the start',
           st == OK and len(out) % 16 == 0 and ranges and
           ranges[0][0] == 0 and ranges[0][1] >= 4096,
           'status 0x%08x %r' % (st, ranges))
    cmd, st, _ = ioctl(raw, 0x0009009C, fid, b'')
    expect('IOCTL FSCTL_GET_OBJECT_ID of a file without one: '
           'OBJECTID_NOT_FOUND', st == 0xC00002F0, 'status 0x%08x' % st)
    oid = bytes(range(64))
    cmd, st, _ = ioctl(raw, 0x00090098, fid, oid)
    expect('IOCTL FSCTL_SET_OBJECT_ID', st == OK, 'status 0x%08x' % st)
    cmd, st, out = ioctl(raw, 0x0009009C, fid, b'')
    expect('IOCTL FSCTL_GET_OBJECT_ID returns it', st == OK and out == oid,
           'status 0x%08x %r' % (st, out[:16]))


def main():
    host, port, user, pw, share_dir, wgnet, conf = sys.argv[1:8]
    c, tid = connect(host, port, user, pw)
    raw = Raw(c, tid)
    with open(os.path.join(share_dir, 'sd.txt'), 'wb') as f:
        f.write(b'x')
    os.makedirs(os.path.join(share_dir, 'ntdir'), exist_ok=True)
    os.chmod(os.path.join(share_dir, 'ntdir'), 0o777)
    fid = c.openFile(tid, '\\sd.txt', desiredAccess=0x00120089)
    dfid = c.openFile(tid, '\\ntdir', desiredAccess=0x00100081,
                      creationOption=0x1)
    with open(os.path.join(share_dir, 'sparse.bin'), 'wb') as f:
        f.write(os.urandom(65536))
    os.chmod(os.path.join(share_dir, 'sparse.bin'), 0o666)
    wfid = c.openFile(tid, '\\sparse.bin', desiredAccess=0x0012019F)
    fsctls(raw, wfid, share_dir)
    pieces(raw)
    query_sd_pieces(raw, fid)
    budget(raw, wgnet, conf)
    notify(raw, dfid, share_dir)
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
