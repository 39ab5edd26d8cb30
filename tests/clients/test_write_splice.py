#!/usr/bin/python3
"""test_write_splice.py - large plain WRITEs, whose data the server splices
from the socket into a pipe and from there into the file (net/conn.c,
smbd_smb2_splice_at), byte for byte; and WRITE frames cut short.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_write_splice.py PORT SHARE_DIR RO_DIR

The server splices a connection's first large WRITE too (its head and
first bytes come in the loop's buffer with the small frames before it:
case_first), so every large plain WRITE is spliced. Every case keeps a model of the
file and compares it with the file on disk (SHARE_DIR) and with a READ:
odd sizes at odd offsets, eight 1 MiB WRITEs in flight at once with an
ECHO among them, data not right after the fixed part (padding, bytes
after the data: read as before), an append-only handle (no splice at an
offset: the pipe is read), a WRITE to a named pipe, and a WRITE whose
data comes in segments too small for its pipe (the server reads the pipe
back: unsplice, writes_unspliced). Then frames cut
short: the client sends a WRITE's header and part of its data and closes
the connection. Nothing of it may reach the file, the server must go on
serving, and it must not keep the pipes (its open pipe count returns to
what it was).
"""

import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

import wgcheck
from wgcheck import ok, fail, expect, find_key
import smb2raw as s2
from smb2raw import Conn

USER, PASSWORD = "alice", "Passw0rd!"
PORT = int(sys.argv[1])
SHARE = sys.argv[2]
MIB = 1024 * 1024
APPEND_ONLY = 0x00100084  # FILE_APPEND_DATA | READ_ATTRIBUTES | SYNCHRONIZE


def logged_on():
    return s2.logged_on(PORT, USER, PASSWORD, timeout=30)


data = wgcheck.pattern
write_body = s2.write_body


def put(model, off, buf):
    if len(model) < off:
        model.extend(b"\0" * (off - len(model)))
    model[off:off + len(buf)] = buf


def same_on_disk(what, name, model):
    with open(os.path.join(SHARE, name), "rb") as f:
        disk = f.read()
    if disk == bytes(model):
        ok(what + ": the file holds exactly the bytes written")
        return
    first = next((i for i in range(min(len(disk), len(model)))
                  if disk[i] != model[i]), min(len(disk), len(model)))
    fail(what + ": the file holds exactly the bytes written",
         "size %d, want %d; first difference at %d" %
         (len(disk), len(model), first))


def odd_once():
    """The 9 WRITEs of case_odd on a connection of their own: the checks
    (name, passed, detail), or None after a failed WRITE (reported)."""
    c = logged_on()
    fid = c.create("odd.bin", disposition=s2.FILE_OVERWRITE_IF)
    model = bytearray()
    # the first one makes the next frames spliced ones
    steps = [(0, MIB), (12345, 100001), (7, MIB), (3 * MIB + 1, 999999),
             (50, 40000), (MIB - 1, 32769), (5 * MIB + 3, 65536),
             (2 * MIB, 65535), (4 * MIB + 11, MIB)]
    for i, (off, n) in enumerate(steps):
        buf = data(n, i)
        r = c.wait(c.send(s2.WRITE, write_body(fid, buf, off),
                          charge=c.charge_for(n)))
        cnt = struct.unpack_from("<I", r.body, 4)[0] \
            if r.status == 0 else -1
        if r.status != 0 or cnt != n:
            fail("odd: WRITE of %d at %d" % (n, off),
                 "%s, count %d" % (s2.status_name(r.status), cnt))
            return None
        put(model, off, buf)
    checks = [("odd: %d WRITEs of odd sizes at odd offsets succeeded" %
               len(steps), True, "")]
    back = c.read(fid, 12345 - 45, 70000)
    checks.append(("odd: a READ returns what was written",
                   back == bytes(model[12300:12300 + 70000]), "differs"))
    c.close(fid)
    with open(os.path.join(SHARE, "odd.bin"), "rb") as f:
        disk = f.read()
    checks.append(("odd: the file holds exactly the bytes written",
                   disk == bytes(model),
                   "size %d, want %d" % (len(disk), len(model))))
    c.close_socket()
    return checks


def case_odd():
    """Odd sizes at odd offsets, one WRITE at a time, the first after small
    frames: all 9 are spliced."""
    spliced_in_tries("odd: the 9 WRITEs were spliced", 9, odd_once)


def first_once():
    """The first large WRITE of a connection, right after its CREATE, and
    one after a small WRITE: both spliced, though the loop reads them
    after small frames (their heads come in its 64 KiB buffer)."""
    c = logged_on()
    fid = c.create("first.bin", disposition=s2.FILE_OVERWRITE_IF)
    model = bytearray()
    for off, n in ((0, MIB), (MIB + 5, 100), (70000, 200000)):
        buf = data(n, off & 0xFF)
        c.call(s2.WRITE, write_body(fid, buf, off),
               charge=c.charge_for(n), what="WRITE of %d" % n)
        put(model, off, buf)
    c.close(fid)
    c.close_socket()
    with open(os.path.join(SHARE, "first.bin"), "rb") as f:
        disk = f.read()
    return [("first: the file holds exactly the bytes written",
             disk == bytes(model),
             "size %d, want %d" % (len(disk), len(model)))]


def case_first():
    spliced_in_tries("first: the first large WRITE and one after a small "
                     "one were spliced", 2, first_once, exact=True)


def spliced_in_tries(name, want, once, exact=False):
    """Run once() (its checks, or None when it failed and said so) and
    check that the server spliced want WRITEs in it. The server may
    rightly read one instead, and says so in a counter (FALLBACKS): when
    the kernel hands it pages not full (a slow reader on a loaded machine:
    the pipe fills early, and that connection splices no more) or gives
    it no pipe. Such a try is done again, on a new connection, up to 3
    times; WRITEs read with no counter to say why fail at once."""
    for attempt in range(1, 4):
        before = splice_counts()
        checks = once()
        if checks is None:
            return
        after = splice_counts()
        moved = {k: after[k] - before[k] for k in before} \
            if before and after else None
        got = moved["writes_spliced"] if moved else None
        good = got is not None and (got == want if exact else got >= want)
        if good or moved is None or attempt == 3 or \
                any(not ch[1] for ch in checks) or \
                not any(moved[k] for k in FALLBACKS):
            break
        print("# %s: try %d read some: %s; again on a new connection" %
              (name.split(":")[0], attempt, moved))
    for what, passed, detail in checks:
        expect(what, passed, detail)
    expect(name, good, "in %d tries, the last: %s" % (attempt, moved))


def case_pipelined():
    c = logged_on()
    fid = c.create("many.bin", disposition=s2.FILE_OVERWRITE_IF)
    model = bytearray()
    mids = []
    for i in range(8):
        buf = data(MIB, None)
        # apart by 8 bytes: WRITEs in flight at once may land in any
        # order, so none may overlap another (MS-SMB2 orders nothing)
        off = (7 - i) * (MIB + 8) + i
        mids.append(c.send(s2.WRITE, write_body(fid, buf, off),
                           charge=c.charge_for(MIB)))
        put(model, off, buf)
        if i == 4:
            mids.append(c.send(s2.ECHO, struct.pack("<HH", 4, 0)))
    bad = [(m, s2.status_name(r.status)) for m, r in
           ((m, c.wait(m)) for m in mids) if r.status != 0]
    expect("pipelined: 8 WRITEs of 1 MiB in flight and an ECHO succeed",
           not bad, "%s" % bad)
    c.close(fid)
    same_on_disk("pipelined", "many.bin", model)
    c.close_socket()


def case_layouts():
    c = logged_on()
    fid = c.create("layout.bin", disposition=s2.FILE_OVERWRITE_IF)
    model = bytearray()
    first = data(MIB, 1)
    c.call(s2.WRITE, write_body(fid, first, 0), charge=c.charge_for(MIB))
    put(model, 0, first)
    # data 8 bytes after the fixed part, then bytes after the data
    a = data(200000, 2)
    c.call(s2.WRITE, write_body(fid, a, 1000, data_off=s2.HDR_LEN + 56,
                                pad=b"\xee" * 8),
           charge=c.charge_for(len(a) + 8), what="WRITE after padding")
    put(model, 1000, a)
    b = data(100000, 3)
    c.call(s2.WRITE, write_body(fid, b, 300001, trailer=b"\xdd" * 4096),
           charge=c.charge_for(len(b) + 4096), what="WRITE with a trailer")
    put(model, 300001, b)
    ok("layouts: padded data and data with bytes after it are written")
    # a Length past the frame's end: refused, and nothing written
    body = bytearray(write_body(fid, data(65536, 4), 0))
    struct.pack_into("<I", body, 4, 65536 + 10)
    r = c.wait(c.send(s2.WRITE, bytes(body), charge=2))
    expect("layouts: a Length past the frame's end is INVALID_PARAMETER",
           r.status == 0xC000000D, s2.status_name(r.status))
    c.close(fid)
    same_on_disk("layouts", "layout.bin", model)

    # an append-only handle: the data goes to the end, read from the pipe
    fid = c.create("layout.bin", access=APPEND_ONLY)
    for i in range(2):
        buf = data(70000 + i, 5 + i)
        c.call(s2.WRITE, write_body(fid, buf, 0),
               charge=c.charge_for(len(buf)), what="append WRITE")
        model.extend(buf)
    c.close(fid)
    same_on_disk("append-only handle", "layout.bin", model)
    c.close_socket()


def case_named_pipe():
    """A large WRITE to a named pipe: the data must reach the pipe, whose
    first fragment is then a bind the server cannot parse as sent
    (garbage): any status but a hang, and the session goes on."""
    c = logged_on()
    fid = c.create("big.bin", disposition=s2.FILE_OVERWRITE_IF)
    c.call(s2.WRITE, write_body(fid, data(MIB, 1), 0),
           charge=c.charge_for(MIB))
    c.close(fid)
    c.tree_connect("IPC$")
    try:
        pfid = c.create("srvsvc", access=0x0012019F)
    except s2.Failed as e:
        fail("named pipe: open srvsvc", str(e))
        c.close_socket()
        return
    r = c.wait(c.send(s2.WRITE, write_body(pfid, data(65536, 9), 0),
                      charge=1))
    ok("named pipe: a 64 KiB WRITE gets an answer (%s)" %
       s2.status_name(r.status))
    r = c.wait(c.send(s2.ECHO, struct.pack("<HH", 4, 0)))
    expect("named pipe: the connection still answers", r.status == 0,
           s2.status_name(r.status))
    c.close_socket()


def spliced():
    """The server's count of spliced WRITEs (wgnet statistics), or None."""
    return server_stat("writes_spliced")


# the counters of a large plain WRITE read, not spliced, for a reason
FALLBACKS = ("splice_pipes_busy", "splice_pipes_failed", "writes_unspliced")


def splice_counts():
    """writes_spliced and FALLBACKS from one `wgnet statistics`, or None."""
    st = server_stats()
    if st is None:
        return None
    try:
        return {k: int(find_key(st, k))
                for k in ("writes_spliced",) + FALLBACKS}
    except (KeyError, TypeError, ValueError):
        return None


def server_stat(name):
    """A number of the server's `wgnet statistics`, or None."""
    try:
        return int(find_key(server_stats(), name))
    except (KeyError, TypeError, ValueError):
        return None


def server_stats():
    """The server's `wgnet statistics --json`, or None."""
    pid = server_pid()
    if pid is None:
        return None
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().decode().split("\0")
        conf = argv[argv.index("-c") + 1]
        wgnet = os.path.join(os.path.dirname(os.readlink(
            "/proc/%d/exe" % pid)), "wgnet")
        p = subprocess.run([wgnet, "-c", conf, "statistics", "--json"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=30)
        return json.loads(p.stdout)
    except (OSError, ValueError, KeyError, IndexError,
            TypeError, subprocess.SubprocessError):
        return None


def server_pid():
    out = subprocess.run(["ss", "-Htlnp", "sport = :%d" % PORT],
                         capture_output=True, text=True).stdout
    m = re.search(r"pid=(\d+)", out)
    return int(m.group(1)) if m else None


def pipes_of(pid):
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(
                        "pipe:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        return -1
    return n


def case_unsplice():
    """A WRITE whose data comes in segments of 1000 bytes, each in its own
    page (another socket's sends come between them): a spliced page then
    holds 1000 bytes, so the pipe's page slots (twice the data in pages)
    run out before the frame's data is in. The server must read the pipe
    back and go on reading the frame (unsplice, writes_unspliced), and
    write every byte; the connection's next WRITE is read."""
    before = server_stat("writes_unspliced")
    c = logged_on()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    fid = c.create("unsplice.bin", disposition=s2.FILE_OVERWRITE_IF)
    model = bytearray()
    first = data(MIB, 20)
    c.call(s2.WRITE, write_body(fid, first, 0), charge=c.charge_for(MIB))
    put(model, 0, first)
    # a listener nobody accepts from: what is sent to it stays queued
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind((s2.HOST, 0))
    lsn.listen(1)
    side = socket.create_connection(lsn.getsockname())
    side.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 256 * 1024
    buf = data(n, 21)
    mid, msg = c.build(s2.WRITE, write_body(fid, buf, 4096),
                       charge=c.charge_for(n))
    frame = struct.pack(">I", len(msg)) + msg
    head = 4 + s2.HDR_LEN + 48
    c.sock.sendall(frame[:head])
    time.sleep(0.05)
    for at in range(head, len(frame), 1000):
        c.sock.sendall(frame[at:at + 1000])
        side.send(b"x")
    r = c.wait(mid, timeout=30)
    put(model, 4096, buf)
    expect("unsplice: a WRITE sent in 1000-byte segments succeeds",
           r.status == 0, s2.status_name(r.status))
    # the next one: read (the connection splices no more)
    nxt = data(300000, 22)
    c.call(s2.WRITE, write_body(fid, nxt, 2 * MIB), charge=c.charge_for(
        len(nxt)), what="WRITE after the unspliced one")
    put(model, 2 * MIB, nxt)
    c.close(fid)
    c.close_socket()
    side.close()
    lsn.close()
    same_on_disk("unsplice", "unsplice.bin", model)
    after = server_stat("writes_unspliced")
    expect("unsplice: the server read the pipe back (writes_unspliced)",
           before is not None and after is not None and after > before,
           "writes_unspliced %s -> %s" % (before, after))


def case_cut():
    pid = server_pid()
    before = pipes_of(pid) if pid else -1
    keep = bytes(data(2 * MIB, 42))
    with open(os.path.join(SHARE, "cut.bin"), "wb") as f:
        f.write(keep)
    os.chmod(os.path.join(SHARE, "cut.bin"), 0o666)
    for sent in (0, 1, 300 * 1024, MIB - 1):
        c = logged_on()
        big = c.create("big.bin", disposition=s2.FILE_OVERWRITE_IF)
        c.call(s2.WRITE, write_body(big, data(MIB, 1), 0),
               charge=c.charge_for(MIB))
        fid = c.create("cut.bin")
        _mid, msg = c.build(s2.WRITE, write_body(fid, b"\xcc" * MIB, 4096),
                            charge=c.charge_for(MIB))
        frame = struct.pack(">I", len(msg)) + msg
        c.sock.sendall(frame[:4 + s2.HDR_LEN + 48 + sent])
        time.sleep(0.2)
        c.close_socket()
    time.sleep(0.5)
    c = logged_on()
    r = c.wait(c.send(s2.ECHO, struct.pack("<HH", 4, 0)), timeout=10)
    expect("cut: after 4 WRITEs cut short the server still answers",
           r.status == 0, s2.status_name(r.status))
    c.close_socket()
    with open(os.path.join(SHARE, "cut.bin"), "rb") as f:
        expect("cut: nothing of a WRITE cut short reached the file",
               f.read() == keep, "the file changed")
    if pid is None or before < 0:
        fail("cut: the server's pipes", "server pid not found")
        return
    after = pipes_of(pid)
    for _ in range(20):
        if after <= before:
            break
        time.sleep(0.1)
        after = pipes_of(pid)
    expect("cut: the server keeps no pipe of a frame cut short",
           after <= before, "%d pipes before, %d after" % (before, after))


def main():
    for case in (case_odd, case_first, case_pipelined, case_layouts, case_named_pipe,
                 case_unsplice, case_cut):
        try:
            case()
        except (s2.Failed, s2.Closed, socket.timeout, OSError) as e:
            fail(case.__name__, "%s: %s" % (type(e).__name__, e))
    return wgcheck.summary("test_write_splice.py")


if __name__ == "__main__":
    sys.exit(main())
