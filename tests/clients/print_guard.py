#!/usr/bin/python3
"""print_guard.py - spooled jobs on a print share are safe from other
users, with impacket as alice and bob.

Run by test_print_guard.sh (which adds the printable share [lp] over
SPOOL_DIR and the user bob, then starts the daemon) as
    /usr/bin/python3 print_guard.py PORT SHARE_DIR RO_DIR SPOOL_DIR

alice prints a document; it is spooled as job-<n>-<name>. bob then tries
to destroy or discover it: renaming his own job file onto it (with
ReplaceIfExists) and hard-linking onto it get STATUS_ACCESS_DENIED; opening
it, overwriting it, and opening a job name that does not exist all get
the same STATUS_OBJECT_NAME_NOT_FOUND, as does opening a document alice
is still writing. alice's job must survive byte-identical. alice herself
may not overwrite her own spooled job (ACCESS_DENIED), and both users can
still print.
"""

import os
import sys

import wgcheck
from wgcheck import ok, fail

from impacket import smb3
from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3structs import (SMB2_DIALECT_30, FILE_READ_DATA,
                                  FILE_WRITE_DATA, FILE_SHARE_READ,
                                  SMB2_0_INFO_FILE, SMB2_FILE_RENAME_INFO,
                                  SMB2_FILE_LINK_INFO, FILE_OPEN,
                                  FILE_CREATE, FILE_OPEN_IF,
                                  FILE_OVERWRITE, FILE_OVERWRITE_IF,
                                  FILE_SUPERSEDE, FILE_NON_DIRECTORY_FILE,
                                  FILE_RENAME_INFORMATION_TYPE_2)
from impacket.nt_errors import ERROR_MESSAGES

HOST = os.environ.get("WG_HOST", "127.0.0.1")
PASSWORD = "Passw0rd!"
DELETE = 0x00010000
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034

def sname(code):
    return "%s (0x%08x)" % (ERROR_MESSAGES.get(code, ("?",))[0], code)


def login(port, user):
    c = SMBConnection(HOST, HOST, sess_port=port,
                      preferredDialect=SMB2_DIALECT_30, timeout=20)
    c.login(user, PASSWORD)
    return c, c.connectTree("lp")


def create(c, tid, name, disp, access=FILE_READ_DATA | FILE_WRITE_DATA):
    return c.createFile(tid, name, desiredAccess=access,
                        shareMode=FILE_SHARE_READ,
                        creationOption=FILE_NON_DIRECTORY_FILE,
                        creationDisposition=disp)


def status_of(fn, *args):
    try:
        fn(*args)
    except SessionError as e:
        return e.getErrorCode()
    except smb3.SessionError as e:
        return e.get_error_code()
    return 0


def want(desc, st, code):
    if st == code:
        ok("%s: %s" % (desc, sname(code)))
    else:
        fail(desc, "got %s" % (sname(st) if st else "success"))


def set_name(c, tid, fid, cls, target):
    info = FILE_RENAME_INFORMATION_TYPE_2()
    info['ReplaceIfExists'] = 1
    info['FileName'] = target.encode('utf-16le')
    info['FileNameLength'] = len(info['FileName'])
    c.getSMBServer().setInfo(tid, fid, inputBlob=info,
                             infoType=SMB2_0_INFO_FILE, fileInfoClass=cls)


def jobs(spool):
    return sorted(n for n in os.listdir(spool) if n.startswith("job-"))


def main():
    port = int(sys.argv[1])
    spool = sys.argv[4]

    a, atid = login(port, "alice")
    data = os.urandom(5000) + b"alice's payroll"
    fid = create(a, atid, "payroll.pdf", FILE_CREATE)
    a.writeFile(atid, fid, data, 0)
    a.closeFile(atid, fid)
    got = jobs(spool)
    if len(got) != 1:
        fail("alice's document is spooled as one job-<n>-<name>", got)
        return
    job = got[0]
    ok("alice's document is spooled as %s" % job)

    b, btid = login(port, "bob")
    # bob's own document, still open: rename it onto alice's job
    bfid = create(b, btid, "bob.txt", FILE_CREATE,
                  FILE_READ_DATA | FILE_WRITE_DATA | DELETE)
    b.writeFile(btid, bfid, b"bob's junk", 0)
    want("bob renames his job file onto alice's (ReplaceIfExists)",
         status_of(set_name, b, btid, bfid, SMB2_FILE_RENAME_INFO, job),
         STATUS_ACCESS_DENIED)
    want("bob renames his job file to a new name",
         status_of(set_name, b, btid, bfid, SMB2_FILE_RENAME_INFO,
                   "other.txt"), STATUS_ACCESS_DENIED)
    want("bob hard-links his job file onto alice's",
         status_of(set_name, b, btid, bfid, SMB2_FILE_LINK_INFO, job),
         STATUS_ACCESS_DENIED)
    b.closeFile(btid, bfid)

    for disp, dname in ((FILE_OPEN, "OPEN"), (FILE_OPEN_IF, "OPEN_IF"),
                        (FILE_OVERWRITE, "OVERWRITE"),
                        (FILE_OVERWRITE_IF, "OVERWRITE_IF"),
                        (FILE_SUPERSEDE, "SUPERSEDE"),
                        (FILE_CREATE, "CREATE")):
        want("bob's CREATE %s of alice's job %s" % (dname, job),
             status_of(create, b, btid, job, disp), STATUS_OBJECT_NAME_NOT_FOUND)
    n = int(job.split("-")[1])
    for name, what in (("job-%d-payroll.pdf" % (n + 1000), "no such job"),
                       (job.upper(), "alice's job in upper case"),
                       ("spoolss-%d.prn" % (n + 1000), "no such job")):
        want("bob's OPEN of %s (%s) gives the same answer" % (name, what),
             status_of(create, b, btid, name, FILE_OPEN),
             STATUS_OBJECT_NAME_NOT_FOUND)
    want("bob's OPEN_IF of an unused job name %s" % ("job-%d-x" % (n + 1000)),
         status_of(create, b, btid, "job-%d-x" % (n + 1000), FILE_OPEN_IF),
         STATUS_OBJECT_NAME_NOT_FOUND)

    # a document alice is still writing
    afid = create(a, atid, "draft.doc", FILE_CREATE)
    a.writeFile(atid, afid, b"draft", 0)
    want("bob's OPEN of draft.doc, which alice is still writing",
         status_of(create, b, btid, "draft.doc", FILE_OPEN),
         STATUS_OBJECT_NAME_NOT_FOUND)
    want("bob's OVERWRITE_IF of draft.doc",
         status_of(create, b, btid, "draft.doc", FILE_OVERWRITE_IF),
         STATUS_OBJECT_NAME_NOT_FOUND)
    a.closeFile(atid, afid)

    want("alice's own OVERWRITE_IF of her spooled job",
         status_of(create, a, atid, job, FILE_OVERWRITE_IF),
         STATUS_ACCESS_DENIED)

    try:
        with open(os.path.join(spool, job), "rb") as f:
            same = f.read() == data
    except OSError as e:
        same = False
        fail("alice's job is still there", str(e))
    if same:
        ok("alice's job %s survived byte-identical" % job)
    else:
        fail("alice's job survived byte-identical", "it changed")

    got = jobs(spool)
    if len(got) == 3 and job in got:
        ok("bob's and alice's later documents were spooled too (%s)" %
           ", ".join(got))
    else:
        fail("three jobs spooled", got)
    a.close()
    b.close()
    sys.exit(wgcheck.summary("print_guard"))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        fail("test_print_guard", "%s: %s" % (type(e).__name__, e))
        sys.exit(1)
