#!/usr/bin/python3
"""hol_small.py - the small-request computer of bench/hol.sh.

    hol_small.py PORT ADDR SECONDS USER PASS SHARE OUT

From source address ADDR, one session that for SECONDS repeats a stat of
a small file (CREATE of small.txt with FILE_READ_ATTRIBUTES, CLOSE) and
an ECHO, with 2 ms of think time between them. Each operation's wall
time in microseconds is a line "stat N" or "echo N" of OUT. Prints
"SMALL ops=N errors=E".
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "clients"))

import smb2raw as s2  # noqa: E402
from smb2raw import Conn  # noqa: E402

FILE_READ_ATTRIBUTES = 0x80


def main():
    port, addr, secs, user, pw, share, out = sys.argv[1:8]
    c = Conn(int(port), src=addr, timeout=30.0)
    c.negotiate()
    c.logon(user, pw)
    c.tree_connect(share)
    end = time.monotonic() + float(secs)
    lines = []
    errors = 0
    while time.monotonic() < end:
        try:
            t0 = time.monotonic()
            fid = c.create("small.txt", access=FILE_READ_ATTRIBUTES)
            c.close(fid)
            t1 = time.monotonic()
            lines.append("stat %d\n" % ((t1 - t0) * 1e6))
            time.sleep(0.002)
            t0 = time.monotonic()
            c.echo()
            t1 = time.monotonic()
            lines.append("echo %d\n" % ((t1 - t0) * 1e6))
        except Exception as e:  # noqa: BLE001 - counted
            errors += 1
            print("# %s: %s" % (type(e).__name__, e), flush=True)
            break
        time.sleep(0.002)
    with open(out, "w") as f:
        f.write("".join(lines))
    print("SMALL ops=%d errors=%d" % (len(lines), errors), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
