#!/usr/bin/python3
"""smb1_print_guard.py HOST PORT PASS SPOOL_DIR - printing through a file
open over SMB1 (impacket, NT LM 0.12), with the print-guard rules of an
SMB2 CREATE (print_guard.py): alice's NT_CREATE_ANDX and OPEN_ANDX of a
new name on [lp] create a spool file, her writes land in it and her
close makes a job-<n>-<name> byte-identical to what she wrote; bob's
opens of her spooled job (every disposition, NT_CREATE_ANDX and
OPEN_ANDX) and of a document she is still writing get
OBJECT_NAME_NOT_FOUND, as does an open of a job name that does not
exist; alice's own OVERWRITE_IF of her job gets ACCESS_DENIED; her job
survives byte-identical. Exit 0 if all hold."""
import os
import sys
import time

from impacket import smb
from impacket.smbconnection import SMBConnection, SessionError

STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034
FILE_SUPERSEDE, FILE_OPEN, FILE_CREATE = 0, 1, 2
FILE_OPEN_IF, FILE_OVERWRITE, FILE_OVERWRITE_IF = 3, 4, 5
FILE_NON_DIRECTORY_FILE = 0x40
GENERIC_WRITE_DATA = 0x00120116    # FILE_GENERIC_WRITE
FAILS = []


def check(desc, cond, detail=''):
    print('%s: %s%s' % ('PASS' if cond else 'FAIL', desc,
                        (' (%s)' % detail) if detail and not cond else ''))
    if not cond:
        FAILS.append(desc)


def login(host, port, user, pw):
    c = SMBConnection(host, host, sess_port=int(port),
                      preferredDialect=smb.SMB_DIALECT)
    c.login(user, pw)
    return c, c.connectTree('lp')


def create(c, tid, name, disp):
    return c.createFile(tid, name, desiredAccess=GENERIC_WRITE_DATA,
                        shareMode=1, creationOption=FILE_NON_DIRECTORY_FILE,
                        creationDisposition=disp)


def status_of(fn, *args):
    try:
        fid = fn(*args)
    except SessionError as e:
        return e.getErrorCode()
    except smb.SessionError as e:
        return e.get_error_code()
    return ('opened', fid)


def openx(c, tid, name, mode):
    return c.getSMBServer().open_andx(tid, name, mode,
                                      smb.SMB_ACCESS_WRITE)[0]


def jobs(spool):
    return sorted(n for n in os.listdir(spool) if n.startswith('job-'))


def wait_job(spool, before, data):
    for _ in range(50):
        for n in set(jobs(spool)) - before:
            with open(os.path.join(spool, n), 'rb') as f:
                if f.read() == data:
                    return n
        time.sleep(0.1)
    return None


def main():
    host, port, pw, spool = sys.argv[1:5]
    a, atid = login(host, port, 'alice', pw)

    # NT_CREATE_ANDX of a new name: a spool file, written in two parts
    before = set(jobs(spool))
    data = os.urandom(70000) + b"alice's payroll"
    fid = create(a, atid, 'payroll.pdf', FILE_OVERWRITE_IF)
    a.writeFile(atid, fid, data[:40000], 0)
    a.writeFile(atid, fid, data[40000:], 40000)
    a.closeFile(atid, fid)
    job = wait_job(spool, before, data)
    check('NT_CREATE_ANDX payroll.pdf, write, close: a job byte-identical '
          '(%s)' % job, job is not None and job.endswith('-payroll.pdf'),
          sorted(os.listdir(spool)))
    if job is None:
        return 1

    # OPEN_ANDX (create if missing) of a new name
    before = set(jobs(spool))
    data2 = b'%!PS via OPEN_ANDX\n' * 100
    fid = openx(a, atid, 'memo.ps', smb.SMB_O_CREAT | smb.SMB_O_OPEN)
    a.writeFile(atid, fid, data2, 0)
    a.closeFile(atid, fid)
    job2 = wait_job(spool, before, data2)
    check('OPEN_ANDX memo.ps, write, close: a job byte-identical (%s)' %
          job2, job2 is not None, sorted(os.listdir(spool)))

    b, btid = login(host, port, 'bob', pw)
    for disp, dname in ((FILE_OPEN, 'OPEN'), (FILE_OPEN_IF, 'OPEN_IF'),
                        (FILE_OVERWRITE, 'OVERWRITE'),
                        (FILE_OVERWRITE_IF, 'OVERWRITE_IF'),
                        (FILE_SUPERSEDE, 'SUPERSEDE'),
                        (FILE_CREATE, 'CREATE')):
        st = status_of(create, b, btid, job, disp)
        check("bob's NT_CREATE_ANDX %s of alice's job: "
              'OBJECT_NAME_NOT_FOUND' % dname,
              st == STATUS_OBJECT_NAME_NOT_FOUND, st)
    for mode, mname in ((smb.SMB_O_OPEN, 'open'),
                        (smb.SMB_O_TRUNC, 'truncate'),
                        (smb.SMB_O_CREAT | smb.SMB_O_TRUNC,
                         'create or truncate')):
        st = status_of(openx, b, btid, job, mode)
        check("bob's OPEN_ANDX (%s) of alice's job: OBJECT_NAME_NOT_FOUND"
              % mname, st == STATUS_OBJECT_NAME_NOT_FOUND, st)
    n = int(job.split('-')[1])
    st = status_of(create, b, btid, 'job-%d-x' % (n + 1000), FILE_OPEN_IF)
    check("bob's OPEN_IF of an unused job name: OBJECT_NAME_NOT_FOUND",
          st == STATUS_OBJECT_NAME_NOT_FOUND, st)
    st = status_of(create, b, btid, 'nothing.txt', FILE_OPEN)
    check("bob's OPEN of a missing name: OBJECT_NAME_NOT_FOUND",
          st == STATUS_OBJECT_NAME_NOT_FOUND, st)

    afid = create(a, atid, 'draft.doc', FILE_CREATE)
    a.writeFile(atid, afid, b'draft', 0)
    st = status_of(create, b, btid, 'draft.doc', FILE_OPEN)
    check("bob's OPEN of draft.doc, which alice is still writing: "
          'OBJECT_NAME_NOT_FOUND', st == STATUS_OBJECT_NAME_NOT_FOUND, st)
    st = status_of(create, b, btid, 'draft.doc', FILE_OVERWRITE_IF)
    check("bob's OVERWRITE_IF of draft.doc: OBJECT_NAME_NOT_FOUND",
          st == STATUS_OBJECT_NAME_NOT_FOUND, st)
    a.closeFile(atid, afid)

    st = status_of(create, a, atid, job, FILE_OVERWRITE_IF)
    check("alice's own OVERWRITE_IF of her spooled job: ACCESS_DENIED",
          st == STATUS_ACCESS_DENIED, st)
    st = status_of(openx, a, atid, job, smb.SMB_O_OPEN)
    check("alice's own OPEN_ANDX of her spooled job: ACCESS_DENIED",
          st == STATUS_ACCESS_DENIED, st)

    with open(os.path.join(spool, job), 'rb') as f:
        check("alice's job %s survived byte-identical" % job,
              f.read() == data)
    a.close()
    b.close()
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
