#!/usr/bin/python3
"""cap_storm.py - many client computers log on at the same instant, for
test_cap_concurrency.sh (issue 16: the session cap stays exact under
concurrency).

    /usr/bin/python3 cap_storm.py PORT --cap N --wgnet WGNET --conf CONF
        [--computers 40] [--conns 1] [--smb1-every 0] [--net 127.0.1]
        [--storms 2]

One storm: --computers computers (127.0.1.2, 127.0.1.3, ... under --net;
each address is a computer), each with --conns TCP connections from its
address. Every connection NEGOTIATEs first (every --smb1-every-th
computer speaks SMB1, NT LM 0.12, the others SMB2/3); then all wait at
one barrier and, released together, SESSION_SETUP (alice) and
TREE_CONNECT [demo]. Checked, each line "CHECK PASS ..." or
"CHECK FAIL ...":

  - exactly N computers are admitted, every connection of each of them
    (one computer = one slot however many connections);
  - every other connection is refused with STATUS_REQUEST_NOT_ACCEPTED
    on the wire (no other error, no hang);
  - `wgnet session --json` lists exactly those N computers, one slot
    each holding --conns SMB sessions, slots_used N;
  - every admitted connection then writes, reads back and lists a file
    of its own (none was disturbed by the storm);
  - they all log off; the slots are free again (wgnet shows none).

Then the next storm, from --computers new addresses, must again admit
exactly N. Exits 1 if any check failed.
"""

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time

from impacket import smb
from impacket.nt_errors import ERROR_MESSAGES
from impacket.smbconnection import SMBConnection, SessionError

HOST = os.environ.get("WG_HOST", "127.0.0.1")
USER = "alice"
PASSWORD = "Passw0rd!"

_tls = threading.local()
_real_connect = socket.socket.connect


def _bound_connect(self, addr):
    src = getattr(_tls, "src", None)
    if (src is not None and self.family == socket.AF_INET
            and self.type == socket.SOCK_STREAM
            and self.getsockname() == ("0.0.0.0", 0)):
        self.bind((src, 0))
    return _real_connect(self, addr)


socket.socket.connect = _bound_connect

FAILS = 0


def check(ok, desc, why=""):
    global FAILS
    if ok:
        print("CHECK PASS %s" % desc, flush=True)
    else:
        FAILS += 1
        print("CHECK FAIL %s%s" % (desc, (": " + why) if why else ""),
              flush=True)
    return ok


def status(e):
    if isinstance(e, SessionError):
        code = e.getErrorCode()
        return ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0]
    return "%s:%s" % (type(e).__name__, str(e).replace("\n", " ")[:120])


class Link:
    """One TCP connection of one computer."""

    def __init__(self, ip, idx, smb1):
        self.ip = ip
        self.idx = idx
        self.smb1 = smb1
        self.conn = None
        self.tid = None
        self.result = None      # "OK" or a status name

    def negotiate(self, port):
        _tls.src = self.ip
        self.conn = SMBConnection(
            HOST, HOST, sess_port=port, timeout=30,
            preferredDialect=smb.SMB_DIALECT if self.smb1 else None)

    def logon(self):
        _tls.src = self.ip
        try:
            self.conn.login(USER, PASSWORD)
            self.tid = self.conn.connectTree("demo")
            self.result = "OK"
        except Exception as e:  # noqa: BLE001 - report whatever it is
            self.result = status(e)

    def work(self):
        """Write, read back and list a file of this connection's own."""
        _tls.src = self.ip
        name = "storm-%s-%d.txt" % (self.ip, self.idx)
        data = ("%s conn %d after the storm\n" % (self.ip, self.idx)) * 50
        data = data.encode()
        try:
            self.conn.putFile("demo", "\\" + name, io.BytesIO(data).read)
            got = io.BytesIO()
            self.conn.getFile("demo", "\\" + name, got.write)
            if got.getvalue() != data:
                return "read back differs"
            names = [f.get_longname()
                     for f in self.conn.listPath("demo", "\\storm-*")]
            if name not in names:
                return "%s not listed" % name
            self.conn.deleteFile("demo", "\\" + name)
            return None
        except Exception as e:  # noqa: BLE001
            return status(e)

    def logoff(self):
        _tls.src = self.ip
        try:
            self.conn.logoff()
        except Exception as e:  # noqa: BLE001
            return status(e)
        finally:
            self.close()
        return None

    def close(self):
        try:
            self.conn.getSMBServer().close_session()
        except Exception:  # noqa: BLE001
            pass


def run_threads(fn, items):
    """fn(item) for every item, each in its own thread; [results]."""
    res = [None] * len(items)

    def one(i):
        try:
            res[i] = fn(items[i])
        except Exception as e:  # noqa: BLE001
            res[i] = status(e)

    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(items))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return res


def wgnet_sessions(a):
    r = subprocess.run([a.wgnet, "-c", a.conf, "session", "--json"],
                       capture_output=True, text=True, timeout=30)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": (r.stdout + r.stderr)[:300]}


def storm(a, label, first):
    ips = ["%s.%d" % (a.net, first + i) for i in range(a.computers)]
    links = []
    for n, ip in enumerate(ips):
        smb1 = a.smb1_every > 0 and n % a.smb1_every == 0
        for k in range(a.conns):
            links.append(Link(ip, k, smb1))
    nsmb1 = len({ln.ip for ln in links if ln.smb1})
    desc = "%s: %d computers (%s..%s, %d SMB1) x %d connection(s)" % (
        label, a.computers, ips[0], ips[-1], nsmb1, a.conns)

    # every connection negotiates first, then all log on together
    errs = run_threads(lambda ln: ln.negotiate(a.port), links)
    bad = [e for e in errs if e is not None]
    if not check(not bad, "%s: all %d connections NEGOTIATE" %
                 (desc, len(links)), "; ".join(bad[:5])):
        return
    dial = [ln for ln in links
            if (ln.conn.getDialect() == smb.SMB_DIALECT) != ln.smb1]
    check(not dial, "%s: SMB1 computers speak SMB1, the others SMB2/3" %
          label, ", ".join("%s:%#x" % (ln.ip, ln.conn.getDialect())
                           for ln in dial[:5]))
    gate = threading.Barrier(len(links))

    def go(ln):
        gate.wait(60)
        ln.logon()

    t0 = time.monotonic()
    run_threads(go, links)
    secs = time.monotonic() - t0

    by_ip = {}
    for ln in links:
        by_ip.setdefault(ln.ip, []).append(ln)
    admitted = sorted(ip for ip, ls in by_ip.items()
                      if all(ln.result == "OK" for ln in ls))
    refused = sorted(ip for ip, ls in by_ip.items()
                     if all(ln.result == "STATUS_REQUEST_NOT_ACCEPTED"
                            for ln in ls))
    mixed = ["%s: %s" % (ip, [ln.result for ln in ls])
             for ip, ls in by_ip.items()
             if ip not in admitted and ip not in refused]
    print("# %s: storm of %d logons took %.2f s; admitted %s" % (
        label, len(links), secs, " ".join(admitted)), flush=True)
    check(len(admitted) == a.cap,
          "%s: exactly %d (the cap) computers admitted, every connection "
          "of each" % (desc, a.cap),
          "%d admitted: %s" % (len(admitted), " ".join(admitted)))
    check(not mixed and len(refused) == a.computers - a.cap,
          "%s: the other %d computers refused with "
          "STATUS_REQUEST_NOT_ACCEPTED on every connection" %
          (label, a.computers - a.cap), "; ".join(mixed[:6]))

    doc = wgnet_sessions(a)
    slots = doc.get("sessions", [])
    got = sorted(sl.get("ip") for sl in slots)
    nsess = sorted({len(sl.get("smb_sessions", [])) for sl in slots})
    check(got == admitted and doc.get("slots_used") == a.cap and
          nsess == [a.conns],
          "%s: wgnet session --json lists exactly the %d admitted "
          "computers, one slot each with %d SMB session(s)" %
          (label, a.cap, a.conns),
          "slots_used %r, ips %s, sessions per slot %s %s" % (
              doc.get("slots_used"), got, nsess, doc.get("error", "")))

    for ln in links:
        if ln.ip not in admitted:
            ln.close()
    ok_links = [ln for ln in links if ln.ip in admitted]
    errs = run_threads(lambda ln: ln.work(), ok_links)
    bad = ["%s/%d: %s" % (ln.ip, ln.idx, e)
           for ln, e in zip(ok_links, errs) if e is not None]
    check(not bad, "%s: every admitted connection (%d) still works: put, "
          "get, list, delete a file of its own" % (label, len(ok_links)),
          "; ".join(bad[:5]))
    errs = run_threads(lambda ln: ln.logoff(), ok_links)
    bad = ["%s/%d: %s" % (ln.ip, ln.idx, e)
           for ln, e in zip(ok_links, errs) if e is not None]
    check(not bad, "%s: ... and logs off" % label, "; ".join(bad[:5]))
    for _ in range(100):
        doc = wgnet_sessions(a)
        if doc.get("slots_used") == 0:
            break
        time.sleep(0.05)
    check(doc.get("slots_used") == 0, "%s: after the logoffs every slot "
          "is free (wgnet: 0 in use)" % label,
          "slots_used %r" % doc.get("slots_used"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--cap", type=int, required=True)
    p.add_argument("--wgnet", required=True)
    p.add_argument("--conf", required=True)
    p.add_argument("--computers", type=int, default=40)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--smb1-every", type=int, default=0)
    p.add_argument("--net", default="127.0.1")
    p.add_argument("--storms", type=int, default=2)
    p.add_argument("--label", default="storm")
    a = p.parse_args()
    if a.computers * a.storms > 250:
        p.error("at most 250 addresses under --net")
    for s in range(a.storms):
        storm(a, "%s %d" % (a.label, s + 1), 2 + s * a.computers)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
