"""smb1raw.py - hand-built SMB1 requests on impacket's SMB1 session (it
signs them), shared by the smb1_*.py checks: an NT1 logon and tree
connect, one request and its reply,
the NT status of a reply, a budget counter of `wgnet statistics --json`,
and PASS:/FAIL: lines."""
import json
import subprocess

from impacket import smb
from impacket.smbconnection import SMBConnection

FAILS = []


def connect(host, port, user, pw, share='demo'):
    """An SMB1 (NT1) session of user on host:port and a tree connect to
    share: (the SMBConnection, the tree id)."""
    c = SMBConnection(host, host, sess_port=int(port),
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    return c, c.connectTree(share)


def expect(what, cond, detail=''):
    """Print PASS:/FAIL: what; a failure is remembered in FAILS."""
    print('%s: %s%s' % ('PASS' if cond else 'FAIL', what,
                        '' if cond else ' (%s)' % detail))
    if not cond:
        FAILS.append(what)


def status_of(p):
    """The 32-bit status of a reply packet (NT status, or a DOS error
    with its class in the low byte)."""
    return p['ErrorCode'] << 16 | p['_reserved'] << 8 | p['ErrorClass']


def send(s, tid, cmd, words, data=b'', mid=None):
    """Send one command on tree tid without waiting for its reply."""
    p = smb.NewSMBPacket()
    p['Tid'] = tid
    if mid is not None:
        p['Mid'] = mid
    c = smb.SMBCommand(cmd)
    c['Parameters'] = words
    c['Data'] = data
    p.addCommand(c)
    s.sendSMB(p)


def call_dos(s, tid, cmd, words, data):
    """One request on tree tid: (status, dos, parameter words, data);
    dos says the reply carries a DOS error, not an NT status."""
    send(s, tid, cmd, words, data)
    r = s.recvSMB()
    dos = not (r['Flags2'] & smb.SMB.FLAGS2_NT_STATUS)
    words, data = b'', b''
    if r['Data']:
        rc = smb.SMBCommand(r['Data'][0])
        words, data = rc['Parameters'], rc['Data']
    return status_of(r), dos, words, data


def call(s, tid, cmd, words, data):
    """One request on tree tid: (status, parameter words, data)."""
    st, _, words, data = call_dos(s, tid, cmd, words, data)
    return st, words, data


def wgnet_counter(wgnet, conf, name):
    """The first integer named name in `wgnet statistics --json` (a
    budget's hits), or None."""
    p = subprocess.run([wgnet, '-c', conf, 'statistics', '--json'],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    try:
        d = json.loads(p.stdout)
    except ValueError:
        return None

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get(name), int):
                return x[name]
            x = list(x.values())
        if isinstance(x, list):
            for v in x:
                r = walk(v)
                if r is not None:
                    return r
        return None
    return walk(d)
