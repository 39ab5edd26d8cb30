#!/usr/bin/python3
"""fairload.py - the clients of bench/fairness.sh (issue 9).

    fairload.py client PORT ADDR SECONDS USER PASS SHARE OUT
    fairload.py attack KIND PORT ADDR SECONDS USER PASS SHARE [PID CAP_MIB]

client: one normal client computer (source address ADDR) that logs on and
repeats, for SECONDS, one cycle of small-file work: create (overwrite)
c-ADDR.dat, write 4 KiB, read them back, close, list the directory
"small", delete the file (open with DELETE_ON_CLOSE, close); then 10 ms of
think time. Each cycle's wall time (ms) is a line of OUT; a cycle that
fails is recorded with the time it took and counted as an error, and the
client logs on again. Prints "CLIENT cycles=N errors=E".

attack: the hostile client computer ADDR running attack KIND for SECONDS
(the attacks of tests/clients/hostile.py, kept going for the whole time):
  pattern   6 connections, each keeping 2 scans of big20k (20,000
            entries) with a 255-unit '<...<Z' pattern in flight
  backlog   4 connections: credits via ECHO x 8000, then ~430 READs of
            1 MiB of big.bin never read (again when dropped)
  sessions  SESSION_SETUPs with SessionId 0, 256 in flight, never
            completed
  listings  opens of big5k, each listed whole and kept open, up to 400,
            then all closed, again
  trees     TREE_CONNECTs to SHARE, 512 in flight
  locks     byte-range LOCKs on one open, distinct ranges, 512 in flight
With PID and CAP_MIB, the attack stops (closes its connections) once that
process's VmRSS is over CAP_MIB, so that one run cannot take the machine
down; it says so on a "GUARD" line. Prints "ATTACK kind=... requests=N".
"""

import os
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "clients"))

import smb2raw as s2  # noqa: E402
from smb2raw import Conn, Closed  # noqa: E402

STOP = threading.Event()
COUNT = [0]
LOCK = threading.Lock()


def conn(port, addr, user, pw, share, timeout=15.0, **kw):
    c = Conn(port, src=addr, timeout=timeout, **kw)
    c.negotiate()
    c.logon(user, pw)
    if share:
        c.tree_connect(share)
    return c


def client(port, addr, secs, user, pw, share, out):
    end = time.monotonic() + secs
    lat = []
    errors = 0
    c = None
    name = "c-%s.dat" % addr
    data = os.urandom(4096)
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            if c is None:
                c = conn(port, addr, user, pw, share)
                t0 = time.monotonic()
            fid = c.create(name, disposition=s2.FILE_OVERWRITE_IF)
            c.write(fid, data)
            if c.read(fid, 0, 4096) != data:
                raise RuntimeError("read back differs")
            c.close(fid)
            d = c.open_dir("small")
            c.list_dir(d)
            c.close(d)
            fid = c.create(name, access=s2.DELETE | s2.SYNCHRONIZE,
                           options=s2.FILE_DELETE_ON_CLOSE)
            c.close(fid)
        except Exception as e:  # noqa: BLE001 - counted, then go on
            errors += 1
            if errors <= 3:
                print("# %s: %s: %s" % (addr, type(e).__name__, e),
                      flush=True)
            if c is not None:
                c.close_socket()
            c = None
            time.sleep(0.1)
        lat.append((time.monotonic() - t0) * 1000.0)
        time.sleep(0.01)
    with open(out, "w") as f:
        f.write("".join("%.3f\n" % x for x in lat))
    print("CLIENT cycles=%d errors=%d" % (len(lat), errors), flush=True)


def count(n=1):
    with LOCK:
        COUNT[0] += n


def left(end):
    return end - time.monotonic()


def pump(c, make, window, end):
    """Keep window requests in flight until end or STOP; reads replies."""
    outstanding = 0
    i = 0
    while left(end) > 0 and not STOP.is_set():
        batch = []
        while outstanding < window and c.available() >= 1:
            cmd, body, kw = make(i)
            i += 1
            kw.setdefault("credits", 1)
            _, msg = c.build(cmd, body, **kw)
            batch.append(struct.pack(">I", len(msg)) + msg)
            outstanding += 1
            if len(batch) >= 256:
                break
        if batch:
            c.sock.sendall(b"".join(batch))
            count(len(batch))
        try:
            for r in c.recv(min(1.0, max(0.05, left(end)))):
                if not r.interim:
                    outstanding -= 1
        except socket.timeout:
            pass


def looped(fn):
    """Run fn until the end; reconnect after the server drops us."""
    def run(a, end):
        while left(end) > 0 and not STOP.is_set():
            try:
                fn(a, end)
            except (Closed, OSError, s2.Failed) as e:
                print("# attack %s: %s: %s" % (a.kind, type(e).__name__,
                                               str(e)[:100]), flush=True)
                time.sleep(0.2)
    return run


@looped
def a_pattern(a, end):
    c = a.conn()
    d = c.open_dir("big20k")
    body = c.query_directory_body(d, "<" * 254 + "Z",
                                  flags=s2.QD_RESTART_SCANS)
    try:
        pump(c, lambda i: (s2.QUERY_DIRECTORY, body, {}), 2, end)
    finally:
        c.close_socket()


@looped
def a_backlog(a, end):
    c = a.conn(rcvbuf=4096)
    try:
        fid = c.create("big.bin", access=s2.FILE_READ_DATA, share=1)
        s2.grow_credits(c, 8000)
        n = min(430, c.available() // 16)
        frames = []
        for k in range(n):
            _, msg = c.build(s2.READ, c.read_body(fid, (k % 2) << 20,
                                                  1 << 20), charge=16)
            frames.append(struct.pack(">I", len(msg)) + msg)
        c.sock.settimeout(max(0.1, left(end)))
        try:
            c.sock.sendall(b"".join(frames))
        except socket.timeout:
            pass
        count(n)
        # never read; wait for the end or for the server to drop us
        while left(end) > 0 and not STOP.is_set():
            if alive_fd(c.sock) is False:
                return
            time.sleep(0.2)
    finally:
        c.close_socket()


def alive_fd(sock):
    """False once the kernel says the peer reset or closed (TCP state)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)
        return info[0] == 1   # TCP_ESTABLISHED
    except OSError:
        return False


@looped
def a_sessions(a, end):
    c = Conn(a.port, src=a.addr, timeout=15)
    try:
        c.negotiate()
        _, tok = Conn.ntlm_negotiate_token()
        body = c.session_setup_body(tok)
        s2.grow_credits(c, 256)
        pump(c, lambda i: (s2.SESSION_SETUP, body, {"sid": 0}), 256, end)
    finally:
        c.close_socket()


@looped
def a_listings(a, end):
    c = a.conn()
    try:
        fids = []
        while left(end) > 0 and not STOP.is_set():
            if len(fids) >= 400:
                for f in fids:
                    c.close(f)
                fids = []
            fids.append(c.open_dir("big5k"))
            flags = s2.QD_RESTART_SCANS
            while left(end) > 0:
                r = c.query_directory(fids[-1], "*", flags=flags)
                flags = 0
                count()
                if r.status != s2.STATUS_SUCCESS:
                    break
    finally:
        c.close_socket()


@looped
def a_trees(a, end):
    c = a.conn(share=False)
    try:
        s2.grow_credits(c, 512)
        body = c.tree_connect_body(a.share)
        pump(c, lambda i: (s2.TREE_CONNECT, body, {"tid": 0}), 512, end)
    finally:
        c.close_socket()


@looped
def a_locks(a, end):
    c = a.conn()
    try:
        fid = c.create("locks-%s.bin" % a.addr,
                       disposition=s2.FILE_OVERWRITE_IF)
        s2.grow_credits(c, 512)
        pump(c, lambda i: (s2.LOCK, c.lock_body(fid, 16 * (a.next_lock + i),
                                                8), {}), 512, end)
    finally:
        a.next_lock += 1 << 24
        c.close_socket()


ATTACKS = {"pattern": (a_pattern, 6), "backlog": (a_backlog, 4),
           "sessions": (a_sessions, 1), "listings": (a_listings, 1),
           "trees": (a_trees, 1), "locks": (a_locks, 1)}


class Attacker:
    def __init__(self, kind, port, addr, user, pw, share):
        self.kind, self.port, self.addr = kind, port, addr
        self.user, self.pw, self.share = user, pw, share
        self.next_lock = 0

    def conn(self, share=True, **kw):
        return conn(self.port, self.addr, self.user, self.pw,
                    self.share if share else None, **kw)


def vmrss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return 0.0
    return 0.0


def attack(kind, port, addr, secs, user, pw, share, pid=0, cap=0.0):
    end = time.monotonic() + secs
    fn, nthreads = ATTACKS[kind]
    threads = []
    for _ in range(nthreads):
        t = threading.Thread(target=fn, args=(Attacker(kind, port, addr, user,
                                                       pw, share), end),
                             daemon=True)
        t.start()
        threads.append(t)
    while left(end) > 0 and any(t.is_alive() for t in threads):
        if pid and cap and vmrss_mib(pid) > cap:
            print("GUARD server VmRSS %.0f MiB over %g MiB: attack stopped"
                  % (vmrss_mib(pid), cap), flush=True)
            STOP.set()
            break
        time.sleep(0.1)
    STOP.set()
    for t in threads:
        t.join(timeout=5)
    print("ATTACK kind=%s requests=%d" % (kind, COUNT[0]), flush=True)


def main():
    mode = sys.argv[1]
    if mode == "client":
        port, addr, secs, user, pw, share, out = sys.argv[2:9]
        client(int(port), addr, float(secs), user, pw, share, out)
    elif mode == "attack":
        kind, port, addr, secs, user, pw, share = sys.argv[2:9]
        pid = int(sys.argv[9]) if len(sys.argv) > 9 else 0
        cap = float(sys.argv[10]) if len(sys.argv) > 10 else 0.0
        attack(kind, int(port), addr, float(secs), user, pw, share, pid, cap)
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
