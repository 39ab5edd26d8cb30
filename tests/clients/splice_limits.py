#!/usr/bin/python3
"""splice_limits.py - spliced WRITEs at the server's limits (net/conn.c).

Run by test_write_splice_cap.sh and test_write_splice_full.sh (which
start the daemon) as
    /usr/bin/python3 splice_limits.py PORT SHARE_DIR RO_DIR WGNET CONF CASE

CASE cap: the daemon runs with `write splice pipes = 2`. Two WRITEs of
1 MiB sent half hold both pipes, so a third connection's WRITE is read
into memory instead (splice_pipes_busy in `wgnet statistics`, and the
log line); finished, all three hold their bytes. Then six connections,
each with four 1 MiB WRITEs in flight, twice: every byte lands where it
was written, spliced or read. Afterwards no pipe is alive
(splice_pipes_alive).

CASE off: the daemon was reloaded with `write splice pipes = 0`: two
connections' 1 MiB WRITEs are all read (writes_spliced and
splice_pipes_busy do not move), and land.

CASE full: the share is a tmpfs of a few MiB. 1 MiB WRITEs at ever higher
offsets until the file system is full: the spliced WRITE that hits the
end answers STATUS_DISK_FULL, the connection stays in sync (an ECHO and a
READ after it are answered), its pipe is freed (splice_pipes_alive back
to 0), and what was written before is intact.
"""

import json
import os
import struct
import subprocess
import sys
import threading
import time

import wgcheck
from wgcheck import ok, fail, expect, find_key
import smb2raw as s2
from smb2raw import Conn

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
WGNET, CONF, CASE = sys.argv[4], sys.argv[5], sys.argv[6]
MIB = 1024 * 1024
STATUS_DISK_FULL = 0xC000007F


def logged_on():
    return s2.logged_on(PORT, USER, PASSWORD, timeout=60)


data = wgcheck.pattern
write_body = s2.write_body


def stats():
    p = subprocess.run([WGNET, "-c", CONF, "statistics", "--json"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    return json.loads(p.stdout)


def stat(name):
    try:
        v = find_key(stats(), name)
        return None if v is None else int(v)
    except (ValueError, TypeError, OSError, subprocess.SubprocessError):
        return None


def pipes_gone(what):
    """splice_pipes_alive returns to 0 (a worker may still hold one)."""
    alive = stat("splice_pipes_alive")
    for _ in range(50):
        if alive == 0:
            break
        time.sleep(0.1)
        alive = stat("splice_pipes_alive")
    expect(what + ": no spliced WRITE's pipe is left alive", alive == 0,
           "splice_pipes_alive %s" % alive)


def cap_reached():
    """Two WRITEs held half sent keep the cap's 2 pipes alive (a frame's
    pipe lives from its head until a worker has written it), so a third
    connection's WRITE must be read into memory: deterministic, where
    WRITEs in flight at once may be emptied faster than they overlap."""
    busy0 = stat("splice_pipes_busy")
    held = []
    for i in range(2):
        c = logged_on()
        fid = c.create("held%d.bin" % i, disposition=s2.FILE_OVERWRITE_IF)
        mid, msg = c.build(s2.WRITE, write_body(fid, data(MIB, 100 + i), 0),
                           charge=c.charge_for(MIB))
        frame = struct.pack(">I", len(msg)) + msg
        c.sock.sendall(frame[:len(frame) // 2])
        held.append((c, fid, mid, frame[len(frame) // 2:]))
    alive = stat("splice_pipes_alive")
    for _ in range(50):
        if alive is not None and alive >= 2:
            break
        time.sleep(0.1)
        alive = stat("splice_pipes_alive")
    expect("cap: two WRITEs half sent hold the 2 pipes",
           alive == 2, "splice_pipes_alive %s" % alive)
    c = logged_on()
    fid = c.create("third.bin", disposition=s2.FILE_OVERWRITE_IF)
    r = c.wait(c.send(s2.WRITE, write_body(fid, data(MIB, 102), 0),
                      charge=c.charge_for(MIB)))
    busy1 = stat("splice_pipes_busy")
    expect("cap: a third WRITE succeeds, read as 2 pipes were alive "
           "(splice_pipes_busy)",
           r.status == 0 and None not in (busy0, busy1) and busy1 > busy0,
           "%s, splice_pipes_busy %s -> %s" %
           (s2.status_name(r.status), busy0, busy1))
    c.close(fid)
    c.close_socket()
    bad = []
    for i, (hc, hfid, mid, rest) in enumerate(held):
        hc.sock.sendall(rest)
        if hc.wait(mid).status != 0:
            bad.append("held%d.bin: not written" % i)
        hc.close(hfid)
        hc.close_socket()
    for name, seed in (("held0.bin", 100), ("held1.bin", 101),
                       ("third.bin", 102)):
        with open(os.path.join(SHARE, name), "rb") as f:
            if f.read() != data(MIB, seed):
                bad.append(name)
    expect("cap: the held WRITEs, finished, and the third hold exactly "
           "their bytes", not bad, "; ".join(bad))


def case_cap():
    cap_reached()
    spliced0 = stat("writes_spliced")
    nconn, inflight, rounds = 6, 4, 2
    errors = []
    conns = [logged_on() for _ in range(nconn)]
    fids = [c.create("cap%d.bin" % i, disposition=s2.FILE_OVERWRITE_IF)
            for i, c in enumerate(conns)]

    def run(i):
        c, fid = conns[i], fids[i]
        try:
            for rnd in range(rounds):
                mids = []
                for k in range(inflight):
                    j = rnd * inflight + k
                    mids.append(c.send(
                        s2.WRITE, write_body(fid, data(MIB, i * 16 + j),
                                             j * MIB),
                        charge=c.charge_for(MIB)))
                for m in mids:
                    r = c.wait(m)
                    if r.status != 0:
                        errors.append("conn %d: %s" %
                                      (i, s2.status_name(r.status)))
        except (s2.Closed, OSError) as e:
            errors.append("conn %d: %s" % (i, e))

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(nconn)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    expect("cap: %d connections x %d WRITEs of 1 MiB in flight succeed" %
           (nconn, inflight), not errors, "; ".join(errors[:4]))
    bad = []
    for i, c in enumerate(conns):
        c.close(fids[i])
        c.close_socket()
        with open(os.path.join(SHARE, "cap%d.bin" % i), "rb") as f:
            disk = f.read()
        want = b"".join(data(MIB, i * 16 + j)
                        for j in range(rounds * inflight))
        if disk != want:
            bad.append("cap%d.bin" % i)
    expect("cap: every file holds exactly the bytes written", not bad,
           "differ: %s" % bad)
    spliced1 = stat("writes_spliced")
    expect("cap: WRITEs in flight on 6 connections were spliced "
           "(writes_spliced)",
           None not in (spliced0, spliced1) and spliced1 > spliced0,
           "writes_spliced %s -> %s" % (spliced0, spliced1))
    pipes_gone("cap")


def case_off():
    spliced0 = stat("writes_spliced")
    busy0 = stat("splice_pipes_busy")
    for i in range(2):
        c = logged_on()
        fid = c.create("off%d.bin" % i, disposition=s2.FILE_OVERWRITE_IF)
        mids = [c.send(s2.WRITE, write_body(fid, data(MIB, j), j * MIB),
                       charge=c.charge_for(MIB)) for j in range(4)]
        bad = [s2.status_name(r.status) for r in map(c.wait, mids)
               if r.status != 0]
        expect("off: 4 WRITEs of 1 MiB in flight succeed", not bad,
               "%s" % bad)
        c.close(fid)
        c.close_socket()
        with open(os.path.join(SHARE, "off%d.bin" % i), "rb") as f:
            expect("off: the file holds exactly the bytes written",
                   f.read() == b"".join(data(MIB, j) for j in range(4)),
                   "differs")
    spliced1 = stat("writes_spliced")
    busy1 = stat("splice_pipes_busy")
    expect("off: no WRITE was spliced, none counted as busy",
           None not in (spliced0, spliced1, busy0, busy1) and
           spliced1 == spliced0 and busy1 == busy0,
           "writes_spliced %s -> %s, splice_pipes_busy %s -> %s" %
           (spliced0, spliced1, busy0, busy1))


def case_full():
    c = logged_on()
    fid = c.create("full.bin", disposition=s2.FILE_OVERWRITE_IF)
    spliced0 = stat("writes_spliced")
    written = []
    status = 0
    for j in range(64):
        buf = data(MIB, j)
        r = c.wait(c.send(s2.WRITE, write_body(fid, buf, j * MIB),
                          charge=c.charge_for(MIB)))
        status = r.status
        if status != 0:
            break
        written.append(buf)
    expect("full: a WRITE past the file system's end (after %d MiB) is "
           "DISK_FULL" % len(written),
           status == STATUS_DISK_FULL and len(written) >= 1,
           "%s after %d MiB" % (s2.status_name(status), len(written)))
    spliced1 = stat("writes_spliced")
    # every one, the first and the one that hit the end too
    expect("full: the WRITEs were spliced (writes_spliced)",
           None not in (spliced0, spliced1) and
           spliced1 - spliced0 >= len(written) + 1,
           "writes_spliced %s -> %s, %d written" %
           (spliced0, spliced1, len(written)))
    r = c.wait(c.send(s2.ECHO, struct.pack("<HH", 4, 0)))
    expect("full: the connection answers an ECHO after it", r.status == 0,
           s2.status_name(r.status))
    if written:
        back = c.read(fid, 0, 65536)
        expect("full: a READ after it returns what was written",
               back == written[0][:65536], "differs")
    c.close(fid)
    c.close_socket()
    with open(os.path.join(SHARE, "full.bin"), "rb") as f:
        disk = f.read(len(written) * MIB)
    expect("full: the MiBs written before it are intact",
           disk == b"".join(written), "differ")
    pipes_gone("full")


def main():
    case = {"cap": case_cap, "off": case_off, "full": case_full}[CASE]
    try:
        case()
    except (s2.Failed, s2.Closed, OSError) as e:
        fail(case.__name__, "%s: %s" % (type(e).__name__, e))
    return wgcheck.summary("splice_limits.py " + CASE)


if __name__ == "__main__":
    sys.exit(main())
