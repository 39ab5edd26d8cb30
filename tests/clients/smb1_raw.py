#!/usr/bin/env python3
"""smb1_raw.py HOST PORT USER PASS - raw SMB1 against wgsmbd (NT1 on):
NEGOTIATE answers NT LM 0.12 with extended security, ECHO echoes its data,
a SESSION_SETUP_ANDX whose AndX offset points backwards is answered with
an error (not a loop), and the server still answers an ECHO afterwards.
Exit 0 if all hold."""
import socket
import struct
import sys


def frame(body):
    return struct.pack('>I', len(body)) + body


def hdr(cmd, flags2=0xC807, uid=0, tid=0, mid=1):
    return (b'\xffSMB' + bytes([cmd]) + b'\0' * 4 + bytes([0x18]) +
            struct.pack('<H', flags2) + b'\0' * 12 +
            struct.pack('<HHHH', tid, 0xFEFF, uid, mid))


def recv(s):
    n = struct.unpack('>I', s.recv(4, socket.MSG_WAITALL))[0] & 0xFFFFFF
    return s.recv(n, socket.MSG_WAITALL)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    s = socket.create_connection((host, port), timeout=10)
    dialects = b'\x02NT LANMAN 1.0\0\x02NT LM 0.12\0'
    s.sendall(frame(hdr(0x72) + b'\0' + struct.pack('<H', len(dialects)) +
                    dialects))
    r = recv(s)
    assert r[:4] == b'\xffSMB' and r[4] == 0x72, r[:8]
    assert r[32] == 17, 'wct %d' % r[32]
    assert struct.unpack('<H', r[33:35])[0] == 1, 'dialect index'
    caps = struct.unpack('<I', r[52:56])[0]
    assert caps & 0x80000000 and caps & 0x40 and caps & 0x4, hex(caps)
    print('NEGOTIATE: NT LM 0.12, caps 0x%08x' % caps)
    s.sendall(frame(hdr(0x2B, mid=2) + b'\x01\x01\x00' +
                    struct.pack('<H', 4) + b'ping'))
    r = recv(s)
    assert r[4] == 0x2B and r[-4:] == b'ping', r
    print('ECHO: ping')
    # SESSION_SETUP_ANDX (wct 12) chained to "itself" at offset 32
    words = struct.pack('<BBH', 0x73, 0, 32) + b'\0' * 20
    s.sendall(frame(hdr(0x73, mid=3) + b'\x0c' + words + b'\0\0'))
    r = recv(s)
    status = struct.unpack('<I', r[5:9])[0]
    assert r[4] == 0x73 and status != 0, hex(status)
    print('backward AndX offset: status 0x%08x' % status)
    s.sendall(frame(hdr(0x2B, mid=4) + b'\x01\x01\x00' +
                    struct.pack('<H', 4) + b'pong'))
    r = recv(s)
    assert r[-4:] == b'pong'
    print('ECHO after it: pong')
    return 0


if __name__ == '__main__':
    sys.exit(main())
