#!/usr/bin/python3
"""sessions_client.py - an impacket client computer for test_sessions.sh.

    /usr/bin/python3 sessions_client.py PORT COMMAND [options]

Every TCP connection it makes comes from --addr (127.0.0.N): the server
tells client computers apart by source address, so each address is its own
computer. (Same idea as tests/shim/bindaddr.c, done in-process.)

Commands
  login   log on once; print "LOGIN OK" or "LOGIN FAILED <STATUS>"; with
          --shares, connect each and list it ("SHARE <name> OK" or
          "SHARE <name> FAILED <STATUS>"); then log off.
  hold    log on (--conns TCP connections, each with its own session of
          the same user), connect --shares on each, open --pipe on IPC$
          (with a DCE/RPC bind) on the first, create and keep open --open
          FILE on the first share of the first; print "READY ..." and wait:
            SIGUSR1  log off every session, print "LOGGED OFF", exit 0
            SIGUSR2  one request on the first connection, print "PROBE OK"
                     or "PROBE FAILED <STATUS>" (a READ of the open file
                     with --open, else a listing of the first disk share,
                     else an open of \\srvsvc on IPC$)
            SIGTERM  exit without logging off (sockets just close)
          and exits by itself after --max-time seconds.
  retry   log on, print "LOGIN FAILED <STATUS>" (or "LOGIN OK"); if it
          failed, print "WAITING", wait for SIGUSR1 and log on again over
          the same TCP connection: "RETRY OK" / "RETRY FAILED <STATUS>",
          then list --shares as for login.

  silent  connect and send nothing; print "EOF after S s" when the server
          closes the connection (or "NO EOF after S s" at --max-time).
  negonly connect, NEGOTIATE (raw, SMB 2.1), read the reply, then send
          nothing more; "EOF after S s" as for silent.
  stall   log on as --user, open --open FILE (1 MiB or more) on the first
          of --shares, send --reads READ requests of 64 KiB and never read
          a reply (with a small receive buffer, so the server's output
          backs up); with --shut-wr then shut down our write side too.
          Prints the daemon's (--pid) fd count before the connect
          ("FDS baseline=N"), when the requests are out ("FDS stalled=N"),
          then polls until it is back to the baseline: "GONE after S s"
          (seconds since the last request) or "NOT GONE after S s fds=N".
          Meanwhile --other ADDR logs on and lists the share:
          "OTHER OK" / "OTHER FAILED <STATUS>".

--netbios NAME connects to port 139 (NetBIOS session service) with calling
name NAME instead of PORT (direct TCP).
--dialect 2.1|3.0 pins the dialect: impacket encrypts every SMB 3 session of
a named user on its own, and a request encrypted for a session the server
has ended can only be answered by a disconnect (MS-SMB2 3.3.5.2.1.1), so a
client that should see STATUS_USER_SESSION_DELETED uses 2.1 (signed).
  flood   open --count connections from --addr that send nothing; print
          "FLOOD sent=N kept=K fds_base=B fds_flooded=F" (K: the ones the
          server has not closed after 0.3 s; F: the daemon's --pid fd
          count then), then "ALL CLOSED after S s" once the server has
          closed every one (or "NOT ALL CLOSED ..." at --max-time).

Credentials: --anon for a null session, else --user (alice) / --password.
Status names are impacket's (STATUS_REQUEST_NOT_ACCEPTED, ...).
"""

import argparse
import os
import signal
import socket
import sys
import time

import wgcheck

from impacket.nt_errors import ERROR_MESSAGES
from impacket.smbconnection import SMBConnection, SessionError
from impacket.dcerpc.v5 import transport, srvs
from impacket.smb3structs import SMB2_DIALECT_21, SMB2_DIALECT_30

HOST = os.environ.get("WG_HOST", "127.0.0.1")
SRC = None
RCVBUF = 0

_real_connect = socket.socket.connect


def _bound_connect(self, addr):
    if RCVBUF and self.type == socket.SOCK_STREAM:
        self.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    if (SRC is not None and self.family == socket.AF_INET
            and self.type == socket.SOCK_STREAM
            and self.getsockname() == ("0.0.0.0", 0)):
        self.bind((SRC, 0))
    return _real_connect(self, addr)


socket.socket.connect = _bound_connect


def out(line):
    print(line, flush=True)


def status(e):
    if isinstance(e, SessionError):
        code = e.getErrorCode()
        return ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0]
    return "%s:%s" % (type(e).__name__, str(e).replace("\n", " ")[:120])


DIALECT = None
NBT_NAME = None     # --netbios NAME: NetBIOS session service, this caller
NBT_PORT = 139


def new_conn(port):
    if NBT_NAME is not None:
        # impacket speaks the NetBIOS session service (SESSION REQUEST
        # with our calling name) on port 139 only; any called name is
        # the server's (a name query for *SMBSERVER would wait on UDP).
        return SMBConnection("WGTEST", HOST, myName=NBT_NAME,
                             sess_port=NBT_PORT, timeout=15,
                             preferredDialect=DIALECT)
    return SMBConnection(HOST, HOST, sess_port=port, timeout=15,
                         preferredDialect=DIALECT)


def login(conn, a):
    if a.anon:
        conn.login("", "")
    else:
        conn.login(a.user, a.password)


def drop(conn):
    """Close the TCP connection. (SMBConnection.close() would send a second
    LOGOFF, encrypted with the keys of the session just ended.)"""
    try:
        conn.getSMBServer().close_session()
    except Exception:  # noqa: BLE001
        pass


def list_shares(conn, shares):
    for sh in shares:
        try:
            conn.listPath(sh, "*")
            out("SHARE %s OK" % sh)
        except Exception as e:  # noqa: BLE001 - report whatever it is
            out("SHARE %s FAILED %s" % (sh, status(e)))


def cmd_login(a):
    conn = new_conn(a.port)
    try:
        login(conn, a)
    except Exception as e:  # noqa: BLE001
        out("LOGIN FAILED %s" % status(e))
        return 0
    out("LOGIN OK")
    list_shares(conn, a.shares)
    try:
        conn.logoff()
    except Exception:  # noqa: BLE001
        pass
    drop(conn)
    return 0


def cmd_retry(a):
    conn = new_conn(a.port)
    try:
        login(conn, a)
        out("LOGIN OK")
        list_shares(conn, a.shares)
        return 0
    except Exception as e:  # noqa: BLE001
        out("LOGIN FAILED %s" % status(e))
    go = []
    signal.signal(signal.SIGUSR1, lambda *_: go.append(1))
    out("WAITING")
    end = time.monotonic() + a.max_time
    while not go and time.monotonic() < end:
        time.sleep(0.05)
    if not go:
        out("RETRY FAILED not signalled")
        return 1
    try:
        login(conn, a)
    except Exception as e:  # noqa: BLE001
        out("RETRY FAILED %s" % status(e))
        return 0
    out("RETRY OK")
    list_shares(conn, a.shares)
    try:
        conn.logoff()
    except Exception:  # noqa: BLE001
        pass
    return 0


class Holder:
    def __init__(self, a):
        self.a = a
        self.conns = []
        self.dce = None
        self.file = None  # (conn, tid, fid)

    def setup(self):
        a = self.a
        for i in range(a.conns):
            c = new_conn(a.port)
            login(c, a)
            self.conns.append(c)
            for sh in a.shares:
                c.connectTree(sh)
        c0 = self.conns[0]
        if a.pipe:
            t = transport.SMBTransport(HOST, a.port, filename="\\" + a.pipe,
                                       smb_connection=c0)
            self.dce = t.get_dce_rpc()
            self.dce.connect()
            self.dce.bind(srvs.MSRPC_UUID_SRVS)
        if a.open:
            tid = c0.connectTree(a.shares[0])
            fid = c0.createFile(tid, a.open)
            c0.writeFile(tid, fid, b"held open by sessions_client.py\n")
            self.file = (c0, tid, fid)
        out("READY conns=%d shares=%s pipe=%s open=%s" % (
            len(self.conns), ",".join(a.shares) or "-", a.pipe or "-",
            a.open or "-"))

    def probe(self):
        c0 = self.conns[0]
        try:
            if self.file is not None:
                c, tid, fid = self.file
                c.readFile(tid, fid, 0, 16)
            elif self.a.shares and self.a.shares[0] != "IPC$":
                c0.listPath(self.a.shares[0], "*")
            else:
                # (impacket answers a TREE_CONNECT to a share it has
                # connected from its cache: open a pipe instead)
                tid = c0.connectTree("IPC$")
                c0.closeFile(tid, c0.openFile(tid, "srvsvc"))
            out("PROBE OK")
        except Exception as e:  # noqa: BLE001
            out("PROBE FAILED %s" % status(e))

    def logoff(self):
        for c in self.conns:
            try:
                c.logoff()
            except Exception as e:  # noqa: BLE001
                out("LOGOFF FAILED %s" % status(e))
        out("LOGGED OFF")
        for c in self.conns:
            drop(c)


def cmd_hold(a):
    h = Holder(a)
    try:
        h.setup()
    except Exception as e:  # noqa: BLE001
        out("SETUP FAILED %s" % status(e))
        return 1
    events = []
    signal.signal(signal.SIGUSR1, lambda *_: events.append("logoff"))
    signal.signal(signal.SIGUSR2, lambda *_: events.append("probe"))
    signal.signal(signal.SIGTERM, lambda *_: events.append("term"))
    end = time.monotonic() + a.max_time
    while time.monotonic() < end:
        while events:
            ev = events.pop(0)
            if ev == "probe":
                h.probe()
            elif ev == "logoff":
                h.logoff()
                return 0
            else:
                return 0
        time.sleep(0.05)
    out("MAX TIME")
    return 0


def wait_eof(s, t0, limit):
    """Seconds from t0 until the peer closes s, or None at limit."""
    s.settimeout(0.05)
    while time.monotonic() - t0 < limit:
        try:
            if s.recv(65536) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except OSError:  # reset: gone as well
            return time.monotonic() - t0
    return None


def raw_connect(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((a.addr, 0))
    s.connect((HOST, a.port))
    return s


def report_eof(secs, a):
    if secs is None:
        out("NO EOF after %.1f s" % a.max_time)
    else:
        out("EOF after %.2f s" % secs)


def cmd_silent(a):
    s = raw_connect(a)
    t0 = time.monotonic()
    out("CONNECTED")
    report_eof(wait_eof(s, t0, a.max_time), a)
    return 0


def cmd_negonly(a):
    import struct
    s = raw_connect(a)
    t0 = time.monotonic()
    hdr = struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, 0, 0, 0, 1, 0, 0,
                      0, 0, 0, 0, b"\0" * 16)
    body = struct.pack("<HHHHI16sQHH", 36, 2, 1, 0, 0, b"sessions-negonly",
                       0, 0x0202, 0x0210)
    msg = hdr + body
    s.sendall(struct.pack(">I", len(msg)) + msg)
    s.settimeout(5)
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    reply = s.recv(n, socket.MSG_WAITALL)
    st = struct.unpack_from("<I", reply, 8)[0]
    out("NEGOTIATED status=0x%08x" % st)
    report_eof(wait_eof(s, t0, a.max_time), a)
    return 0


def cmd_flood(a):
    import select
    base = fd_count(a.pid)
    socks = []
    for _ in range(a.count):
        s = raw_connect(a)
        socks.append(s)
    time.sleep(0.3)
    t0 = time.monotonic()
    fds = fd_count(a.pid)

    def still_open():
        alive = []
        for s in socks:
            r, _, _ = select.select([s], [], [], 0)
            if r:
                try:
                    if s.recv(1) == b"":
                        continue
                except OSError:
                    continue
            alive.append(s)
        return alive

    socks = still_open()
    out("FLOOD sent=%d kept=%d fds_base=%d fds_flooded=%d" % (
        a.count, len(socks), base, fds))
    while socks and time.monotonic() - t0 < a.max_time:
        time.sleep(0.05)
        socks = still_open()
    if socks:
        out("NOT ALL CLOSED %d left after %.1f s" % (len(socks), a.max_time))
    else:
        out("ALL CLOSED after %.2f s" % (time.monotonic() - t0))
    return 0


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cmd_stall(a):
    global RCVBUF, SRC
    from impacket.smb3structs import (SMB2_READ, SMB2Read, FILE_READ_DATA,
                                      FILE_SHARE_READ)
    base = fd_count(a.pid)
    out("FDS baseline=%d" % base)
    RCVBUF = 4096
    conn = new_conn(a.port)
    login(conn, a)
    RCVBUF = 0
    tid = conn.connectTree(a.shares[0])
    fid = conn.openFile(tid, a.open, desiredAccess=FILE_READ_DATA,
                        shareMode=FILE_SHARE_READ)
    smb3 = conn.getSMBServer()
    for i in range(a.reads):
        pkt = smb3.SMB_PACKET()
        pkt["Command"] = SMB2_READ
        pkt["TreeID"] = tid
        pkt["CreditCharge"] = 1
        rd = SMB2Read()
        rd["FileID"] = fid
        rd["Length"] = 65536
        rd["Offset"] = (i % 16) * 65536
        pkt["Data"] = rd
        smb3.sendSMB(pkt)
    sock = smb3._NetBIOSSession.get_socket()
    if a.shut_wr:
        sock.shutdown(socket.SHUT_WR)
    t0 = time.monotonic()
    out("FDS stalled=%d" % fd_count(a.pid))
    if a.other:
        SRC = a.other
        try:
            c = new_conn(a.port)
            c.login(a.user, a.password)
            c.listPath(a.shares[0], "*")
            c.logoff()
            drop(c)
            out("OTHER OK after %.2f s" % (time.monotonic() - t0))
        except Exception as e:  # noqa: BLE001
            out("OTHER FAILED %s" % status(e))
    n = fd_count(a.pid)
    while time.monotonic() - t0 < a.max_time:
        n = fd_count(a.pid)
        if n <= base:
            out("GONE after %.2f s fds=%d" % (time.monotonic() - t0, n))
            sock.close()
            return 0
        time.sleep(0.05)
    out("NOT GONE after %.1f s fds=%d" % (time.monotonic() - t0, n))
    sock.close()
    return 0


def cmd_partial(a):
    """Log on, hold a file open, send a NetBIOS keep-alive (must be
    ignored on any port: the listing after it still works), then the
    first bytes of a frame and nothing more (slowloris): report when the
    daemon closes the connection."""
    conn = new_conn(a.port)
    login(conn, a)
    tid = conn.connectTree(a.shares[0])
    conn.createFile(tid, a.open)
    sock = conn.getSMBServer()._NetBIOSSession.get_socket()
    sock.sendall(b"\x85\x00\x00\x00")
    try:
        conn.listPath(a.shares[0], "*")
        out("KEEPALIVE OK")
    except Exception as e:  # noqa: BLE001
        out("KEEPALIVE FAILED %s" % status(e))
        return 0
    # a header that promises 200 bytes, and 10 of them
    sock.sendall(b"\x00\x00\x00\xc8" + b"\xfeSMB" + b"\x00" * 6)
    t0 = time.monotonic()
    sock.settimeout(a.max_time)
    try:
        while sock.recv(4096):
            pass
        out("CLOSED after %.2f s" % (time.monotonic() - t0))
    except socket.timeout:
        out("NOT CLOSED after %.1f s" % (time.monotonic() - t0))
    except OSError as e:
        out("CLOSED after %.2f s (%s)" % (time.monotonic() - t0, e))
    return 0


def main():
    global SRC, DIALECT, NBT_NAME
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("command", choices=("login", "hold", "retry", "silent",
                                        "negonly", "stall", "flood",
                                        "partial"))
    p.add_argument("--addr", required=True)
    p.add_argument("--anon", action="store_true")
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="Passw0rd!")
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--shares", default="")
    p.add_argument("--pipe", default="")
    p.add_argument("--open", default="")
    p.add_argument("--max-time", type=float, default=120)
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--reads", type=int, default=200)
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--shut-wr", action="store_true")
    p.add_argument("--other", default="")
    p.add_argument("--dialect", choices=("2.1", "3.0"), default=None,
                   help="pin the dialect (impacket encrypts every SMB 3 "
                   "session of a named user; 2.1 only signs)")
    p.add_argument("--netbios", default=None, metavar="NAME",
                   help="connect to port 139 with the NetBIOS session "
                   "service, calling name NAME")
    p.add_argument("--go-file", default=None, metavar="PATH",
                   help="print STARTED, then wait (up to --max-time) for "
                   "PATH to exist before the command: the caller times "
                   "the command without Python's start in it")
    a = p.parse_args()
    if a.go_file and not wgcheck.wait_go(a.go_file, a.max_time):
        return 1
    NBT_NAME = a.netbios
    DIALECT = {None: None, "2.1": SMB2_DIALECT_21, "3.0": SMB2_DIALECT_30}[
        a.dialect]
    a.shares = [s for s in a.shares.split(",") if s]
    SRC = a.addr
    if a.open and not a.shares:
        p.error("--open needs --shares")
    return {"login": cmd_login, "hold": cmd_hold, "retry": cmd_retry,
            "silent": cmd_silent, "negonly": cmd_negonly,
            "stall": cmd_stall, "flood": cmd_flood,
            "partial": cmd_partial}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
