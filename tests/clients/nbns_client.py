#!/usr/bin/env python3
"""nbns_client.py HOST PORT NAME WORKGROUP [off] - a NetBIOS name service
client (RFC 1002, written from the RFC) against wgsmbd's UDP name service,
printing PASS:/FAIL: lines (wgcheck).

With "off" it only checks that nothing answers (the default config).
Otherwise:
  1  name queries for NAME<00> and NAME<20>: positive, authoritative, the
     address the query was sent to, our transaction id, unique B-node
  2  WORKGROUP<00>: positive with the group bit
  3  another name, and a query with a scope: no answer (no WINS here)
  4  node status "*" (nbtstat -A): the three names with their flags, a
     zero MAC, and a reply of bounded size (157 bytes for 50 asked); a
     broadcast node status is not answered
  5  garbage, a truncated query and a compression-pointer loop get no
     answer, and a good query right after is still answered
  6  a flood of node status queries from one source: at most the burst
     (10) answered, so the service cannot be used as an amplifier
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgcheck  # noqa: E402
from wgcheck import expect, fail, ok  # noqa: E402


def encode(name, suffix, pad=b" "):
    raw = name.encode().ljust(15, pad)[:15] + bytes([suffix])
    return bytes([32]) + bytes(x for c in raw
                               for x in (65 + (c >> 4), 65 + (c & 15)))


def query(trn, name, suffix, qtype=0x20, flags=0x0110, scope=b""):
    pad = b"\0" if name == "*" else b" "
    return (struct.pack(">HHHHHH", trn, flags, 1, 0, 0, 0) +
            encode(name, suffix, pad) + scope + b"\0" +
            struct.pack(">HH", qtype, 1))


class Client:
    def __init__(self, host, port):
        self.addr = (host, port)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((host, 0))

    def ask(self, pkt, timeout=1.0):
        self.s.sendto(pkt, self.addr)
        return self.recv(timeout)

    def recv(self, timeout):
        self.s.settimeout(timeout)
        try:
            data, _ = self.s.recvfrom(2048)
            return data
        except socket.timeout:
            return None


def parse_answer(r):
    """(trn, flags, ancount, rr_type, ttl, rdata) of a one-answer reply."""
    trn, flags, qd, an = struct.unpack(">HHHH", r[:8])
    off = 12 + 34
    rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", r[off:off + 10])
    return trn, flags, an, rtype, ttl, r[off + 10:off + 10 + rdlen]


def check_nb(c, host, trn, name, suffix, want_flags):
    r = c.ask(query(trn, name, suffix))
    desc = "name query %s<%02x>" % (name, suffix)
    if r is None:
        fail(desc, "no answer")
        return
    t, flags, an, rtype, ttl, rd = parse_answer(r)
    expect(desc + ": positive, authoritative, our id",
           t == trn and flags & 0xFF0F == 0x8500 and an == 1 and
           rtype == 0x20, "id %04x flags %04x an %d type %04x" %
           (t, flags, an, rtype))
    expect(desc + ": the address asked, NB flags %04x" % want_flags,
           len(rd) == 6 and rd[2:] == socket.inet_aton(host) and
           struct.unpack(">H", rd[:2])[0] == want_flags and ttl > 0,
           "rdata %s ttl %d" % (rd.hex(), ttl))


def check_status(c, trn):
    q = query(trn, "*", 0, qtype=0x21, flags=0)
    r = c.ask(q)
    if r is None:
        fail("node status *", "no answer")
        return None
    t, flags, an, rtype, ttl, rd = parse_answer(r)
    return q, r, t, flags, rtype, rd


def main():
    host, port, name, wg = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    off = len(sys.argv) > 5 and sys.argv[5] == "off"
    c = Client(host, port)

    if off:
        expect("service off by default: a name query gets no answer",
               c.ask(query(1, name, 0)) is None, "answered")
        return wgcheck.summary("nbns_client.py off")

    check_nb(c, host, 0x1001, name, 0x00, 0x0000)
    check_nb(c, host, 0x1002, name.lower(), 0x20, 0x0000)
    check_nb(c, host, 0x1003, wg, 0x00, 0x8000)
    expect("a name not ours gets no answer",
           c.ask(query(0x1004, "NOTOURS", 0)) is None, "answered")
    expect("our name within a scope gets no answer",
           c.ask(query(0x1005, name, 0, scope=b"\x03foo")) is None,
           "answered")

    st = check_status(c, 0x2001)
    if st is not None:
        q, r, t, flags, rtype, rd = st
        expect("node status: our id, a response, type NBSTAT",
               t == 0x2001 and flags & 0x8000 and rtype == 0x21,
               "id %04x flags %04x type %04x" % (t, flags, rtype))
        n = rd[0]
        names = []
        for i in range(n):
            e = rd[1 + 18 * i:1 + 18 * (i + 1)]
            names.append((e[:15].decode().rstrip(), e[15],
                          struct.unpack(">H", e[16:18])[0]))
        want = [(name, 0x00, 0x0400), (name, 0x20, 0x0400),
                (wg, 0x00, 0x8400)]
        expect("node status: NAME<00>, NAME<20>, WORKGROUP<00> group",
               names == want, "got %r" % names)
        mac = rd[1 + 18 * n:1 + 18 * n + 6]
        expect("node status: the MAC field is zero", mac == b"\0" * 6,
               mac.hex())
        expect("node status: reply of bounded size (%d for %d asked)" %
               (len(r), len(q)), len(r) == 157 and len(q) == 50,
               "%d bytes" % len(r))
        expect("node status: the question name comes back as sent",
               r[12:46] == q[12:46], r[12:46].hex())

    expect("a broadcast node status gets no answer",
           c.ask(query(0x2002, "*", 0, qtype=0x21, flags=0x0010)) is None,
           "answered")

    good = query(0x3001, name, 0)
    bad = [b"\xff" * 7, good[:30],
           # a name that is a pointer to itself
           struct.pack(">HHHHHH", 0x3002, 0, 1, 0, 0, 0) + b"\xc0\x0c" +
           b"\0\x20\0\x01"]
    answered = [c.ask(p, timeout=0.5) for p in bad]
    expect("malformed packets (garbage, truncated, pointer loop) get no "
           "answer", answered == [None] * len(bad), repr(answered))
    r = c.ask(good)
    expect("after malformed packets a good query is still answered",
           r is not None and r[:2] == b"\x30\x01", repr(r))

    time.sleep(2.2)     # refill this source's bucket
    flood = 50
    for i in range(flood):
        c.s.sendto(query(0x4000 + i, "*", 0, qtype=0x21, flags=0), c.addr)
    got = 0
    while c.recv(0.5) is not None:
        got += 1
    expect("a flood of %d node status queries: %d answered, at most the "
           "burst of 10" % (flood, got), 1 <= got <= 11, "%d" % got)
    return wgcheck.summary("nbns_client.py")


if __name__ == "__main__":
    sys.exit(main())
