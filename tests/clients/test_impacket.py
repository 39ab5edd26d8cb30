#!/usr/bin/python3
"""test_impacket.py - impacket 0.10's SMBConnection against wgsmbd.

Run by test_impacket.sh (which starts the daemon) as
    /usr/bin/python3 test_impacket.py PORT SHARE_DIR RO_DIR
SHARE_DIR/RO_DIR are the local directories behind [demo] and [ro], so the
effect of each write is also checked on disk.

Covers: impacket's default negotiation (an SMB1 NEGOTIATE offering
"SMB 2.???", answered with 0x02FF, then an SMB2 re-negotiate), each SMB2
dialect impacket offers on its own, a 3.0 session with signing required by
the client, file and directory operations, the raw ".." and symlink
escapes, the read-only share, a file of ours whose mode lacks the owner's
write bit (no write open, whatever the server skips asking the kernel),
and the anonymous (null) session, which gets
a session but no disk share. Prints one PASS:/FAIL: line per check and
exits 1 if any failed.
"""

import os
import sys
import traceback

import wgcheck
from wgcheck import ok, fail, expect

from impacket import smb
from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3structs import (SMB2_DIALECT_002, SMB2_DIALECT_21,
                                  SMB2_DIALECT_30, SMB2_SESSION_FLAG_IS_NULL,
                                  FILE_READ_DATA, FILE_WRITE_DATA)

MAXIMUM_ALLOWED = 0x02000000
from impacket.nt_errors import STATUS_ACCESS_DENIED, ERROR_MESSAGES

USER, PASSWORD = "alice", "Passw0rd!"
HOST = os.environ.get("WG_HOST", "127.0.0.1")
DIALECT_NAMES = {SMB2_DIALECT_002: "2.0.2", SMB2_DIALECT_21: "2.1",
                 SMB2_DIALECT_30: "3.0", smb.SMB_DIALECT: "SMB1"}

class ServerGone(Exception):
    """The server refuses connections: it has died. Later checks would
    only repeat that, so the test stops (lib.sh reports the exit status
    and the server log)."""


def gone(e):
    return isinstance(e, ConnectionRefusedError) or (
        isinstance(e, OSError) and "Connection refused" in str(e))


def status_name(err):
    code = err.getErrorCode()
    name = ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0]
    return "%s (0x%08x)" % (name, code)


def check(desc, fn, *args):
    """Run fn(*args); PASS unless it raises. Returns its result or None."""
    try:
        res = fn(*args)
    except SessionError as e:
        fail(desc, status_name(e))
        return None
    except Exception as e:  # a protocol error, a timeout, a bad reply
        fail(desc, "%s: %s" % (type(e).__name__, e))
        if gone(e):
            raise ServerGone() from e
        traceback.print_exc(limit=3, file=sys.stdout)
        return None
    ok(desc)
    return res


def refused(desc, fn, *args, status=None):
    """PASS if fn(*args) fails with an SMB error (status, if given)."""
    try:
        fn(*args)
    except SessionError as e:
        if status is None or e.getErrorCode() == status:
            ok("%s: %s" % (desc, status_name(e)))
        else:
            fail(desc, "wrong status %s" % status_name(e))
        return
    except Exception as e:
        fail(desc, "%s: %s" % (type(e).__name__, e))
        if gone(e):
            raise ServerGone() from e
        return
    fail(desc, "the server allowed it")


def connect(port, dialect):
    return SMBConnection(HOST, HOST, sess_port=port,
                         preferredDialect=dialect, timeout=20)


def file_ops(conn, tag, share_dir):
    """put/list/get/rename/delete and a directory, checked on disk too."""
    data = os.urandom(300000) + tag.encode()
    name = "imp-%s.bin" % tag
    dname = "imp-%s.dir" % tag
    local = os.path.join(share_dir, name)

    chunks = []
    if check(tag + ": putFile", conn.putFile, "demo", name,
             lambda n: chunks.append(1) or (b"" if len(chunks) > 1
                                            else data)) is not None:
        with open(local, "rb") as f:
            expect(tag + ": putFile stored the same bytes", f.read() == data,
                   "file on disk differs")

    listing = check(tag + ": listPath *", conn.listPath, "demo", "*")
    if listing is not None:
        sizes = {e.get_longname(): e.get_filesize() for e in listing}
        expect(tag + ": listPath shows . and ..",
               "." in sizes and ".." in sizes, "got %s" % sorted(sizes))
        expect(tag + ": listPath shows the file with its size",
               sizes.get(name) == len(data),
               "got %r for %s" % (sizes.get(name), name))

    got = []
    if check(tag + ": getFile", conn.getFile, "demo", name,
             got.append) is not None:
        expect(tag + ": getFile returned the same bytes",
               b"".join(got) == data, "got %d bytes" % len(b"".join(got)))

    new = "imp-%s-renamed.bin" % tag
    if check(tag + ": rename", conn.rename, "demo", name, new) is not None:
        expect(tag + ": rename moved the file on disk",
               not os.path.exists(local) and
               os.path.exists(os.path.join(share_dir, new)), "not moved")
    if check(tag + ": deleteFile", conn.deleteFile, "demo", new) is not None:
        expect(tag + ": deleteFile removed the file",
               not os.path.exists(os.path.join(share_dir, new)), "still there")

    if check(tag + ": createDirectory", conn.createDirectory, "demo",
             dname) is not None:
        expect(tag + ": createDirectory made a directory",
               os.path.isdir(os.path.join(share_dir, dname)), "no directory")
        sub = check(tag + ": listPath of the new directory", conn.listPath,
                    "demo", dname + "\\*")
        if sub is not None:
            expect(tag + ": the new directory holds only . and ..",
                   sorted(e.get_longname() for e in sub) == [".", ".."],
                   "got %s" % [e.get_longname() for e in sub])
        if check(tag + ": deleteDirectory", conn.deleteDirectory, "demo",
                 dname) is not None:
            expect(tag + ": deleteDirectory removed it",
                   not os.path.exists(os.path.join(share_dir, dname)),
                   "still there")


def session(port, dialect, tag, share_dir, want_dialect, sign=False):
    conn = check(tag + ": negotiate", connect, port, dialect)
    if conn is None:
        return
    got = conn.getDialect()
    expect(tag + ": dialect is %s" % DIALECT_NAMES[want_dialect],
           got == want_dialect,
           "negotiated %s" % DIALECT_NAMES.get(got, hex(got)))
    if sign:
        # Make impacket act like a client that requires signing: it then
        # asks for NTLM signing and signs every request after SESSION_SETUP.
        conn.getSMBServer()._Connection["RequireSigning"] = True
    if check(tag + ": login alice", conn.login, USER, PASSWORD) is None:
        return
    file_ops(conn, tag, share_dir)
    check(tag + ": logoff", conn.logoff)
    conn.close()


def escapes(port, share_dir, ro_dir):
    conn = connect(port, SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    sink = []
    # impacket sends these names as they are: the server sees the "..".
    for path in ("..\\..\\etc\\passwd", "\\..\\..\\etc\\passwd",
                 "sub\\..\\..\\etc\\passwd"):
        refused("getFile %s is refused" % path, conn.getFile, "demo", path,
                sink.append)
    expect("nothing was read through ..", not sink, "read %d chunks" % len(sink))
    os.symlink("/etc", os.path.join(share_dir, "escape"))
    try:
        refused("getFile through a symlink to /etc is refused", conn.getFile,
                "demo", "escape\\passwd", sink.append)
        expect("nothing was read through the symlink", not sink,
               "read %d chunks" % len(sink))
    finally:
        os.unlink(os.path.join(share_dir, "escape"))
    check("listPath still works after the refusals", conn.listPath, "demo", "*")

    got = []
    check("[ro]: getFile readme.txt", conn.getFile, "ro", "readme.txt",
          got.append)
    refused("[ro]: putFile is refused", conn.putFile, "ro", "new.txt",
            lambda n: b"")
    expect("[ro]: nothing was created", not os.path.exists(
        os.path.join(ro_dir, "new.txt")), "new.txt exists")
    refused("[ro]: createDirectory is refused", conn.createDirectory, "ro",
            "newdir")
    refused("[ro]: deleteFile is refused", conn.deleteFile, "ro",
            "readme.txt")
    expect("[ro]: readme.txt is still there",
           os.path.exists(os.path.join(ro_dir, "readme.txt")), "deleted")
    conn.close()


def owner_bits(port, share_dir):
    """A file the server made (so its owner is the server's uid): its
    mode's owner bits decide read and write, which the server answers
    from the stat it took without faccessat2 when both are set."""
    name = "imp-owner.bin"
    local = os.path.join(share_dir, name)
    conn = connect(port, SMB2_DIALECT_30)
    conn.login(USER, PASSWORD)
    check("owner bits: putFile", conn.putFile, "demo", name,
          lambda n: b"")
    tid = conn.connectTree("demo")
    try:
        os.chmod(local, 0o444)
        refused("owner bits: mode 0444, a write open is refused",
                conn.openFile, tid, name, FILE_WRITE_DATA,
                status=STATUS_ACCESS_DENIED)
        fid = check("owner bits: mode 0444, a read open is allowed",
                    conn.openFile, tid, name, FILE_READ_DATA)
        if fid is not None:
            conn.closeFile(tid, fid)
        # MAXIMUM_ALLOWED gets what the probe found: read, not write
        fid = check("owner bits: mode 0444, MAXIMUM_ALLOWED opens (read)",
                    conn.openFile, tid, name, MAXIMUM_ALLOWED)
        if fid is not None:
            conn.closeFile(tid, fid)
        os.chmod(local, 0o600)
        fid = check("owner bits: mode 0600, a write open is allowed",
                    conn.openFile, tid, name, FILE_WRITE_DATA)
        if fid is not None:
            conn.closeFile(tid, fid)
    finally:
        os.unlink(local)
    conn.close()


def anonymous(port):
    conn = check("anonymous: negotiate", connect, port, SMB2_DIALECT_30)
    if conn is None:
        return
    if check("anonymous: login('', '') gets a session", conn.login, "",
             "") is None:
        return
    flags = conn.getSMBServer()._Session["SessionFlags"]
    expect("anonymous: SessionFlags has IS_NULL",
           flags & SMB2_SESSION_FLAG_IS_NULL, "SessionFlags 0x%x" % flags)
    refused("anonymous: tree connect to demo", conn.connectTree, "demo",
            status=STATUS_ACCESS_DENIED)
    conn.close()


def run_guarded(main):
    """Run main(); if the server dies, say so once and stop."""
    try:
        return main()
    except ServerGone:
        print("# the server no longer accepts connections: stopping here "
              "(%d passed, %d failed so far)" % (wgcheck.passed,
                                                 wgcheck.failed))
        return 1


def main():
    port = int(sys.argv[1])
    share_dir, ro_dir = sys.argv[2], sys.argv[3]

    # Default: SMB1 NEGOTIATE with "SMB 2.002" and "SMB 2.???", then the
    # SMB2 re-negotiate offering 2.0.2, 2.1 and 3.0: 3.0 wins.
    session(port, None, "smb1-upgrade", share_dir, SMB2_DIALECT_30)
    for d in (SMB2_DIALECT_002, SMB2_DIALECT_21, SMB2_DIALECT_30):
        session(port, d, DIALECT_NAMES[d], share_dir, d)
    session(port, SMB2_DIALECT_30, "3.0+signing", share_dir, SMB2_DIALECT_30,
            sign=True)
    try:
        escapes(port, share_dir, ro_dir)
    except ServerGone:
        raise
    except Exception as e:
        fail("escape and read-only checks", "%s: %s" % (type(e).__name__, e))
        if gone(e):
            raise ServerGone() from e
    owner_bits(port, share_dir)
    anonymous(port)
    return wgcheck.summary("impacket")


if __name__ == "__main__":
    sys.exit(run_guarded(main))
