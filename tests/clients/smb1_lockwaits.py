#!/usr/bin/python3
"""smb1_lockwaits.py HOST PORT USER PASS - the budget of waiting byte-range
locks over SMB1 (the one smbd/fs/locks.c keeps for both dialects: 256
blocking lock requests waiting per connection). A holder locks byte 0;
a second connection sends 256 LOCKING_ANDX requests for it with an
infinite timeout, which must all wait (no reply), then a 257th, which
must be refused at once with STATUS_INSUFFICIENT_RESOURCES. When the
waiters' connection goes, the holder's lock still holds (a third
connection's immediate lock is refused) and the holder can release it.
Exit 0 if all hold; prints what failed otherwise."""
import os
import select
import struct
import sys

from impacket import smb
from impacket.smbconnection import SMBConnection

from smb1raw import status_of

WAITS = 256
STATUS_SUCCESS = 0
STATUS_INSUFFICIENT_RESOURCES = 0xC000009A
LOCK_REFUSED = (0xC0000054, 0xC0000055)  # LOCK_NOT_GRANTED, FILE_LOCK_CONFLICT


def connect(host, port, user, pw):
    c = SMBConnection(host, host, sess_port=port,
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    assert c.getDialect() == smb.SMB_DIALECT, c.getDialect()
    tid = c.connectTree('demo')
    fid = c.createFile(tid, '\\lockwaits.bin', desiredAccess=0x12019F,
                       shareMode=7, creationDisposition=3)
    return c, tid, fid


def send_lock(c, tid, fid, mid, timeout, unlock=False):
    """One LOCKING_ANDX for byte 0 (exclusive), sent without waiting."""
    s = c.getSMBServer()
    pkt = smb.NewSMBPacket()
    pkt['Tid'] = tid
    pkt['Mid'] = mid
    cmd = smb.SMBCommand(smb.SMB.SMB_COM_LOCKING_ANDX)
    nunlock, nlock = (1, 0) if unlock else (0, 1)
    cmd['Parameters'] = struct.pack('<BBHHBBIHH', 0xFF, 0, 0, fid, 0, 0,
                                    timeout, nunlock, nlock)
    # the PID of the range is the one sendSMB puts in the header
    cmd['Data'] = struct.pack('<HII', os.getpid() & 0xFFFF, 0, 1)
    pkt.addCommand(cmd)
    s.sendSMB(pkt)


def reply(c, wait):
    """The next reply on c's socket, or None if none within wait s."""
    s = c.getSMBServer()
    sock = s.get_socket()
    r, _, _ = select.select([sock], [], [], wait)
    if not r:
        return None
    return s.recvSMB()


def main():
    host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    bad = []
    h, htid, hfid = connect(host, port, user, pw)
    send_lock(h, htid, hfid, 10, 0)
    p = reply(h, 5)
    if p is None or status_of(p) != STATUS_SUCCESS:
        print('holder: lock of byte 0 not granted')
        return 1
    w, wtid, wfid = connect(host, port, user, pw)
    for i in range(WAITS):
        send_lock(w, wtid, wfid, 100 + i, 0xFFFFFFFF)
    send_lock(w, wtid, wfid, 100 + WAITS, 0xFFFFFFFF)
    p = reply(w, 10)
    if p is None:
        bad.append('lock %d: no reply (it waits, over the budget)' %
                   (WAITS + 1))
    elif p['Mid'] != 100 + WAITS:
        bad.append('a reply to waiting lock mid %d came (status 0x%08x) '
                   'before the refusal' % (p['Mid'], status_of(p)))
    elif status_of(p) != STATUS_INSUFFICIENT_RESOURCES:
        bad.append('lock %d: status 0x%08x, not INSUFFICIENT_RESOURCES' %
                   (WAITS + 1, status_of(p)))
    else:
        print('lock %d waiting on one SMB1 connection: '
              'STATUS_INSUFFICIENT_RESOURCES' % (WAITS + 1))
    if reply(w, 0.5) is not None:
        bad.append('a waiting lock was answered while the holder holds')
    w.getSMBServer().get_socket().close()
    e, etid, efid = connect(host, port, user, pw)
    send_lock(e, etid, efid, 20, 0)
    p = reply(e, 5)
    if p is None or status_of(p) not in LOCK_REFUSED:
        bad.append('after the waiters went, a third lock was not refused '
                   '(%s)' % ('no reply' if p is None else
                             '0x%08x' % status_of(p)))
    send_lock(h, htid, hfid, 11, 0, unlock=True)
    p = reply(h, 5)
    if p is None or status_of(p) != STATUS_SUCCESS:
        bad.append('holder: unlock failed')
    # The server may read the waiter connection's close after the unlock:
    # then byte 0 goes to one of its waiting locks until its teardown
    # frees it. Wait up to 5 s for the lock rather than ask once.
    send_lock(e, etid, efid, 21, 5000)
    p = reply(e, 10)
    if p is None or status_of(p) != STATUS_SUCCESS:
        bad.append('after the unlock, the third connection cannot lock')
    for b in bad:
        print('FAILED: ' + b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
