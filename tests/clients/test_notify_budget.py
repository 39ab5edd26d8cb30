#!/usr/bin/python3
"""test_notify_budget.py - the CHANGE_NOTIFY budgets, with impacket.

Run through run_all.sh (which starts the daemon) as
    /usr/bin/python3 test_notify_budget.py PORT SHARE_DIR RO_DIR
against the default 'max pending notifies' = 256 per connection:
 - 256 CHANGE_NOTIFYs parked on 256 directory opens of one connection,
   the 257th (a new directory, so a new inotify watch too) gets
   STATUS_INSUFFICIENT_RESOURCES, and another connection is still served;
 - an open that saw a change and never re-armed while 600 files were
   created collects no more than its budget (64 KiB of records): the next request gets
   STATUS_NOTIFY_ENUM_DIR, and after that it reports changes again.
"""

import os
import struct
import sys
import time

from impacket.smb3structs import (SMB2_CHANGE_NOTIFY, SMB2ChangeNotify,
                                  FILE_LIST_DIRECTORY, FILE_READ_ATTRIBUTES,
                                  FILE_SHARE_READ, FILE_SHARE_WRITE,
                                  FILE_SHARE_DELETE, FILE_OPEN,
                                  FILE_DIRECTORY_FILE,
                                  FILE_NOTIFY_CHANGE_FILE_NAME)
from impacket.nt_errors import STATUS_SUCCESS

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_locks import Client, sname  # noqa: E402
import wgcheck  # noqa: E402
from wgcheck import ok, fail, expect  # noqa: E402

STATUS_INSUFFICIENT_RESOURCES = 0xC000009A
STATUS_NOTIFY_ENUM_DIR = 0x0000010C
PENDING = 256


def open_dir(c, name):
    return c.conn.createFile(
        c.tid, name, desiredAccess=FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
        shareMode=FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        creationOption=FILE_DIRECTORY_FILE, creationDisposition=FILE_OPEN)


def notify_send(c, fid, out_len=65536):
    pkt = c.smb.SMB_PACKET()
    pkt['Command'] = SMB2_CHANGE_NOTIFY
    pkt['TreeID'] = c.tid
    pkt['CreditCharge'] = 1 + (out_len - 1) // 65536
    req = SMB2ChangeNotify()
    req['OutputBufferLength'] = out_len
    req['FileID'] = fid
    req['CompletionFilter'] = FILE_NOTIFY_CHANGE_FILE_NAME
    pkt['Data'] = req
    return c.smb.sendSMB(pkt)


def notify(c, fid, out_len=65536):
    """(status, number of FILE_NOTIFY_INFORMATION records)."""
    ans = c.smb.recvSMB(notify_send(c, fid, out_len))
    n = 0
    if ans['Status'] == STATUS_SUCCESS:
        data = ans['Data']
        off, length = struct.unpack_from("<HI", data, 2)
        buf = data[off - 64:off - 64 + length]
        pos = 0
        while length > 0:
            n += 1
            nxt = struct.unpack_from("<I", buf, pos)[0]
            if nxt == 0:
                break
            pos += nxt
    return ans['Status'], n


def pending_cap(port, share):
    for i in range(PENDING + 1):
        os.mkdir(os.path.join(share, "nd%d" % i))
    c = Client(port, "n1")
    fids = [open_dir(c, "nd%d" % i) for i in range(PENDING + 1)]
    for fid in fids[:PENDING]:
        notify_send(c, fid)
    st, _ = notify(c, fids[PENDING])
    expect("CHANGE_NOTIFY %d pending on one connection: "
           "STATUS_INSUFFICIENT_RESOURCES" % (PENDING + 1),
           st == STATUS_INSUFFICIENT_RESOURCES, sname(st))
    d = Client(port, "n2")
    fid = open_dir(d, "nd0")
    notify_send(d, fid)
    time.sleep(0.5)  # the watch starts when the server has the request
    open(os.path.join(share, "nd0", "new.txt"), "w").close()
    st = d.smb.recvSMB(None)['Status']
    expect("another connection's CHANGE_NOTIFY still parks and fires",
           st == STATUS_SUCCESS, sname(st))
    d.conn.close()
    c.conn.close()


def queue_bound(port, share):
    os.mkdir(os.path.join(share, "nq"))
    c = Client(port, "n3")
    fid = open_dir(c, "nq")
    # a 1 MiB buffer: the budget, not the client's buffer, must bind
    mid = notify_send(c, fid, 1 << 20)
    time.sleep(0.5)  # the watch starts when the server has the request
    open(os.path.join(share, "nq", "first.txt"), "w").close()
    st = c.smb.recvSMB(mid)['Status']
    expect("the first change completes the request", st == STATUS_SUCCESS,
           sname(st))
    # 600 records of 212 bytes: under 1,024 records and the 1 MiB buffer,
    # over the 64 KiB a watch may hold
    for i in range(600):
        open(os.path.join(share, "nq", "f%05d-%s.txt" % (i, "x" * 90)),
             "w").close()
    # let the daemon read the inotify queue: a round trip after a pause
    time.sleep(1)
    c.conn.listPath("demo", "nq\\first.txt")
    st, n = notify(c, fid, 1 << 20)
    expect("after 600 long-named changes without a request: "
           "STATUS_NOTIFY_ENUM_DIR (the queue was dropped at its budget)",
           st == STATUS_NOTIFY_ENUM_DIR, "%s, %d records" % (sname(st), n))
    mid = notify_send(c, fid)
    time.sleep(0.5)
    for i in range(3):
        open(os.path.join(share, "nq", "g%d.txt" % i), "w").close()
    time.sleep(0.5)
    st = c.smb.recvSMB(mid)['Status']
    expect("... and the open reports changes again afterwards",
           st == STATUS_SUCCESS, sname(st))
    open(os.path.join(share, "nq", "h.txt"), "w").close()
    time.sleep(0.5)
    c.conn.listPath("demo", "nq\\h.txt")
    st, n = notify(c, fid)
    expect("... with records (%d)" % n, st == STATUS_SUCCESS and n >= 1,
           "%s, %d records" % (sname(st), n))
    c.conn.close()


def main():
    port = int(sys.argv[1])
    share = sys.argv[2]
    for fn in (pending_cap, queue_bound):
        try:
            fn(port, share)
        except Exception as e:
            fail(fn.__name__, "%s: %s" % (type(e).__name__, e))
    try:
        c = Client(port, "n9")
        c.conn.listPath("demo", "*")
        ok("a new client logs on and lists the share afterwards")
    except Exception as e:
        fail("a new client logs on and lists the share afterwards", str(e))
    sys.exit(wgcheck.summary("test_notify_budget"))


if __name__ == "__main__":
    main()
