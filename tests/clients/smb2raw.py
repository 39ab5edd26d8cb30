#!/usr/bin/python3
"""smb2raw.py - a minimal raw SMB2/3 client for hostile tests and benchmarks.

It builds every request by hand (MS-SMB2 section 2.2) so that a test can
send what a well-behaved client library never would: thousands of
requests without reading a reply, compounds of any length, SESSION_SETUPs
that never complete, requests before NEGOTIATE. Logons use impacket's
NTLMSSP and SPNEGO encoders only (ntlm.getNTLMSSPType1/3,
spnego.SPNEGO_NegTokenInit/Resp).

Messages are never signed or encrypted: the client negotiates 3.0 (or
what it is told) with SecurityMode SIGNING_ENABLED only and no encryption
capability, so on a server that does not require signing its requests are
accepted unsigned (MS-SMB2 3.3.5.2.4).

    c = Conn(port, src="127.0.0.9")     # a socket from 127.0.0.9
    c.negotiate()                        # 3.0, LARGE_MTU
    c.logon("alice", "Passw0rd!")        # or c.logon() for a null session
    c.tree_connect("demo")
    fid = c.create("x.txt", disposition=FILE_OVERWRITE_IF)
    c.write(fid, b"data"); c.read(fid, 0, 4); c.close(fid)

Every call that waits takes the Conn's timeout (socket.timeout or Closed
on failure). The low-level pair is send(cmd, body, ...) -> MessageId and
wait(mid) -> Reply; build() + send_compound() chain several messages in
one frame. Credits granted by the server are summed in c.granted; c.mid
is the next MessageId; c.available() the credits not yet used.
"""

import os
import socket
import struct
import time

from impacket import ntlm
from impacket.spnego import SPNEGO_NegTokenInit, SPNEGO_NegTokenResp, TypesMech

HOST = os.environ.get("WG_HOST", "127.0.0.1")

# commands
NEGOTIATE = 0x00
SESSION_SETUP = 0x01
LOGOFF = 0x02
TREE_CONNECT = 0x03
TREE_DISCONNECT = 0x04
CREATE = 0x05
CLOSE = 0x06
READ = 0x08
WRITE = 0x09
LOCK = 0x0A
CANCEL = 0x0C
ECHO = 0x0D
QUERY_DIRECTORY = 0x0E
CHANGE_NOTIFY = 0x0F
QUERY_INFO = 0x10
SET_INFO = 0x11
OPLOCK_BREAK = 0x12

# oplock levels
OPLOCK_NONE = 0x00
OPLOCK_II = 0x01
OPLOCK_EXCLUSIVE = 0x08
OPLOCK_BATCH = 0x09
OPLOCK_LEASE = 0xFF
LEASE_R = 0x01
LEASE_H = 0x02
LEASE_W = 0x04
LEASE_BREAK_ACK_REQUIRED = 0x01
LEASE_FLAG_PARENT_KEY_SET = 0x04
MID_NOTIFICATION = 0xFFFFFFFFFFFFFFFF

# header flags
FLAG_RESPONSE = 0x01
FLAG_ASYNC = 0x02
FLAG_RELATED = 0x04
FLAG_SIGNED = 0x08

# statuses
STATUS_SUCCESS = 0x00000000
STATUS_PENDING = 0x00000103
STATUS_NO_MORE_FILES = 0x80000006
STATUS_NO_SUCH_FILE = 0xC000000F
STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016
STATUS_OBJECT_NAME_INVALID = 0xC0000033
STATUS_INSUFFICIENT_RESOURCES = 0xC000009A
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034
STATUS_LOCK_NOT_GRANTED = 0xC0000055
STATUS_CANCELLED = 0xC0000120
STATUS_REQUEST_NOT_ACCEPTED = 0xC00000D0

STATUS_NAMES = {
    STATUS_SUCCESS: "STATUS_SUCCESS",
    STATUS_PENDING: "STATUS_PENDING",
    STATUS_NO_MORE_FILES: "STATUS_NO_MORE_FILES",
    STATUS_NO_SUCH_FILE: "STATUS_NO_SUCH_FILE",
    STATUS_MORE_PROCESSING_REQUIRED: "STATUS_MORE_PROCESSING_REQUIRED",
    STATUS_OBJECT_NAME_INVALID: "STATUS_OBJECT_NAME_INVALID",
    STATUS_INSUFFICIENT_RESOURCES: "STATUS_INSUFFICIENT_RESOURCES",
    STATUS_ACCESS_DENIED: "STATUS_ACCESS_DENIED",
    STATUS_LOCK_NOT_GRANTED: "STATUS_LOCK_NOT_GRANTED",
    STATUS_CANCELLED: "STATUS_CANCELLED",
    STATUS_REQUEST_NOT_ACCEPTED: "STATUS_REQUEST_NOT_ACCEPTED",
    0xC000000D: "STATUS_INVALID_PARAMETER",
    0xC0000034: "STATUS_OBJECT_NAME_NOT_FOUND",
    0xC0000035: "STATUS_OBJECT_NAME_COLLISION",
    0xC000006D: "STATUS_LOGON_FAILURE",
    0xC00000BB: "STATUS_NOT_SUPPORTED",
    0xC00000CC: "STATUS_BAD_NETWORK_NAME",
    0xC0000203: "STATUS_USER_SESSION_DELETED",
    0xC0000128: "STATUS_FILE_CLOSED",
    0xC00000C9: "STATUS_NETWORK_NAME_DELETED",
}

DIALECT_202 = 0x0202
DIALECT_210 = 0x0210
DIALECT_300 = 0x0300

CAP_LARGE_MTU = 0x04
CAP_DIRECTORY_LEASING = 0x20

# access, share, disposition, options
GENERIC_ALL = 0x10000000
FILE_READ_DATA = 0x0001
FILE_LIST_DIRECTORY = 0x0001
FILE_WRITE_DATA = 0x0002
FILE_READ_ATTRIBUTES = 0x0080
SYNCHRONIZE = 0x00100000
DELETE = 0x00010000
READ_CONTROL = 0x00020000
RW_ACCESS = 0x0012019F  # generic read + write, as SMB clients send it
SHARE_ALL = 0x07
FILE_OPEN = 1
FILE_CREATE = 2
FILE_OPEN_IF = 3
FILE_OVERWRITE_IF = 5
FILE_DIRECTORY_FILE = 0x01
FILE_NON_DIRECTORY_FILE = 0x40
FILE_DELETE_ON_CLOSE = 0x1000

# QUERY_DIRECTORY
FILE_DIRECTORY_INFORMATION = 0x01
FILE_NAMES_INFORMATION = 0x0C
FILE_RENAME_INFORMATION = 0x0A
FILE_DISPOSITION_INFORMATION = 0x0D
QD_RESTART_SCANS = 0x01
QD_REOPEN = 0x10

# LOCK element flags
LOCK_SHARED = 0x01
LOCK_EXCLUSIVE = 0x02
LOCK_UNLOCK = 0x04
LOCK_FAIL_IMMEDIATELY = 0x10

HDR_LEN = 64


def status_name(st):
    if st is None:
        return "none"
    return "%s (0x%08x)" % (STATUS_NAMES.get(st, "status"), st)


class Closed(Exception):
    """The server closed the connection (EOF or reset)."""


class Failed(Exception):
    """A request answered with an unexpected status."""

    def __init__(self, what, reply):
        self.reply = reply
        self.status = reply.status
        super().__init__("%s: %s" % (what, status_name(reply.status)))


class Reply:
    """One SMB2 response (one element of a compound frame)."""

    __slots__ = ("status", "command", "credits", "flags", "mid",
                 "async_id", "tree_id", "session_id", "body", "raw")

    def __init__(self, msg):
        (self.status, self.command, self.credits, self.flags, _next,
         self.mid) = struct.unpack_from("<IHHIIQ", msg, 8)
        if self.flags & FLAG_ASYNC:
            self.async_id = struct.unpack_from("<Q", msg, 32)[0]
            self.tree_id = 0
        else:
            self.async_id = 0
            self.tree_id = struct.unpack_from("<I", msg, 36)[0]
        self.session_id = struct.unpack_from("<Q", msg, 40)[0]
        self.body = msg[HDR_LEN:]
        self.raw = msg

    @property
    def interim(self):
        return self.status == STATUS_PENDING and bool(
            self.flags & FLAG_ASYNC)


def split_compound(frame):
    """The messages of one frame, following NextCommand."""
    out = []
    off = 0
    while True:
        if len(frame) - off < HDR_LEN or frame[off:off + 4] != b"\xfeSMB":
            raise ValueError("not an SMB2 message at offset %d" % off)
        nxt = struct.unpack_from("<I", frame, off + 20)[0]
        end = off + nxt if nxt else len(frame)
        out.append(Reply(frame[off:end]))
        if not nxt:
            return out
        off = end


def utf16(s):
    return s.encode("utf-16-le")


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def create_contexts(ctxs):
    """Encode [(name bytes, data bytes), ...] as CREATE contexts
    [MS-SMB2 2.2.13.2]: each 8-byte aligned, Next chaining them."""
    out = b""
    for i, (name, data) in enumerate(ctxs):
        one = struct.pack("<IHHHHI", 0, 16, len(name), 0,
                          24 if data else 0, len(data))
        one += pad8(name) + data
        if i + 1 < len(ctxs):
            one = pad8(one)
            one = struct.pack("<I", len(one)) + one[4:]
        out += one
    return out


def parse_contexts(r):
    """The CREATE response's contexts: {name bytes: data bytes}."""
    off, ln = struct.unpack_from("<II", r.body, 80)
    out = {}
    if not ln:
        return out
    buf = r.raw[off:off + ln]
    pos = 0
    while pos + 16 <= len(buf):
        nxt, noff, nlen, _res, doff, dlen = struct.unpack_from(
            "<IHHHHI", buf, pos)
        out[bytes(buf[pos + noff:pos + noff + nlen])] = bytes(
            buf[pos + doff:pos + doff + dlen])
        if not nxt:
            break
        pos += nxt
    return out


def rqls(key, state):
    """RqLs: lease request v1, key (16 bytes), state [2.2.13.2.8]."""
    return (b"RqLs", key + struct.pack("<IIQ", state, 0, 0))


def dhnq():
    """DHnQ: durable handle v1 request [2.2.13.2.3]."""
    return (b"DHnQ", bytes(16))


def dh2q(create_guid, timeout_ms=0):
    """DH2Q: durable handle v2 request, not persistent [2.2.13.2.11]."""
    return (b"DH2Q", struct.pack("<II8s16s", timeout_ms, 0, bytes(8),
                                 create_guid))


def dhnc(fid):
    """DHnC: reconnect durable handle fid (v1) [2.2.13.2.4]."""
    return (b"DHnC", fid)


def dh2c(fid, create_guid):
    """DH2C: reconnect durable handle fid (v2) [2.2.13.2.12]."""
    return (b"DH2C", fid + create_guid + bytes(4))


def rqls_v2(key, state, epoch=0, parent=None):
    """RqLs: lease v2 request for lease key (16 bytes) [2.2.13.2.10],
    with ParentLeaseKey parent (16 bytes) if given."""
    return (b"RqLs", struct.pack("<16sIIQ16sHH", key, state,
                                 LEASE_FLAG_PARENT_KEY_SET if parent else 0,
                                 0, parent or bytes(16), epoch, 0))


def lease_of(ctxs):
    """The RqLs response context [2.2.14.2.10] of parse_contexts():
    (key, state, flags, epoch), or None."""
    d = ctxs.get(b"RqLs")
    if d is None or len(d) < 32:
        return None
    key, state, flags = struct.unpack_from("<16sII", d, 0)
    epoch = struct.unpack_from("<H", d, 48)[0] if len(d) >= 52 else 0
    return key, state, flags, epoch


def lease_state(ctxs):
    """The lease state of a CREATE response's RqLs context, or None."""
    d = ctxs.get(b"RqLs")
    return struct.unpack_from("<I", d, 16)[0] if d and len(d) >= 20 else None


class Conn:
    """One TCP connection to the server, from source address src."""

    def __init__(self, port, host=HOST, src=None, timeout=10.0, rcvbuf=0,
                 sndbuf=0):
        self.host = host
        self.port = port
        self.timeout = timeout
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if sndbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        if src:
            s.bind((src, 0))
        s.settimeout(timeout)
        s.connect((host, port))
        self.sock = s
        self.mid = 0
        self.granted = 1    # credits granted in total (1 to start)
        self.sid = 0
        self.tid = 0
        self.dialect = 0
        self.max_read = 65536
        self.pending = {}   # mid -> Reply received while waiting for another
        self.breaks = []    # oplock break notifications not yet taken
        self.last_frame_len = 0
        self.inbuf = bytearray()

    # ---- framing ----

    def available(self):
        return self.granted - self.mid

    def header(self, cmd, mid, charge=1, credits=1, flags=0, nxt=0,
               tid=None, sid=None):
        return struct.pack(
            "<4sHHIHHIIQIIQ16s", b"\xfeSMB", HDR_LEN, charge, 0, cmd,
            credits, flags, nxt, mid, 0xFEFF,
            self.tid if tid is None else tid,
            self.sid if sid is None else sid, b"\0" * 16)

    def charge_for(self, nbytes):
        if self.dialect in (0, DIALECT_202):
            return 0 if self.dialect == DIALECT_202 else 1
        return max(1, (nbytes + 65535) // 65536)

    def build(self, cmd, body, charge=None, credits=4, flags=0, tid=None,
              sid=None, mid=None):
        """(mid, message) of one request; consumes MessageIds."""
        if charge is None:
            charge = 1 if self.dialect != DIALECT_202 else 0
        if mid is None:
            mid = self.mid
            self.mid += max(1, charge)
        return mid, self.header(cmd, mid, charge, credits, flags, 0, tid,
                                sid) + body

    def send_frame(self, msg):
        self.sock.sendall(struct.pack(">I", len(msg)) + msg)

    def send(self, cmd, body, **kw):
        """Send one request; returns its MessageId."""
        mid, msg = self.build(cmd, body, **kw)
        self.send_frame(msg)
        return mid

    def send_compound(self, msgs):
        """Chain built messages (their bytes) into one frame."""
        out = bytearray()
        for i, m in enumerate(msgs):
            m = bytearray(m)
            if i + 1 < len(msgs):
                m = bytearray(pad8(bytes(m)))
                struct.pack_into("<I", m, 20, len(m))
            out += m
        self.send_frame(bytes(out))

    def _fill(self, n, deadline):
        while len(self.inbuf) < n:
            left = deadline - time.monotonic() if deadline else None
            if left is not None and left <= 0:
                raise socket.timeout("timed out")
            self.sock.settimeout(left if left is not None else self.timeout)
            try:
                chunk = self.sock.recv(max(65536, n - len(self.inbuf)))
            except (ConnectionResetError, BrokenPipeError) as e:
                raise Closed(str(e)) from e
            if not chunk:
                raise Closed("EOF")
            self.inbuf += chunk

    def recv_frame(self, timeout=None):
        """The next frame (bytes); Closed on EOF, socket.timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        self._fill(4, deadline)
        # Direct TCP allows 24 bits of length [MS-SMB2 2.1]; read all 32
        # so that a server that writes more is seen as it is.
        n = struct.unpack(">I", self.inbuf[:4])[0]
        self.last_frame_len = n
        self._fill(4 + n, deadline)
        frame = bytes(self.inbuf[4:4 + n])
        del self.inbuf[:4 + n]
        return frame

    def recv(self, timeout=None):
        """Replies of the next frame (a list); credits are counted.
        Oplock break notifications go to self.breaks instead."""
        reps = split_compound(self.recv_frame(timeout))
        for r in reps:
            self.granted += r.credits
        notes = [r for r in reps if r.mid == MID_NOTIFICATION and
                 r.command == OPLOCK_BREAK]
        self.breaks.extend(notes)
        return [r for r in reps if r not in notes]

    def wait(self, mid, timeout=None, interim=False):
        """The reply to mid (the final one, unless interim=True)."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            r = self.pending.pop(mid, None)
            if r is not None and (interim or not r.interim):
                return r
            for r in self.recv(max(0.001, deadline - time.monotonic())):
                self.pending[r.mid] = r

    def call(self, cmd, body, ok=(STATUS_SUCCESS,), what=None, timeout=None,
             **kw):
        """Send one request and wait for its final reply; Failed unless
        its status is in ok (None: any status)."""
        r = self.wait(self.send(cmd, body, **kw), timeout=timeout)
        if ok is not None and r.status not in ok:
            raise Failed(what or "command 0x%02x" % cmd, r)
        return r

    def close_socket(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # ---- NEGOTIATE, SESSION_SETUP, TREE_CONNECT ----

    def negotiate(self, dialects=(DIALECT_202, DIALECT_210, DIALECT_300),
                  credits=1, client_guid=None, caps=CAP_LARGE_MTU):
        body = struct.pack("<HHHHI16sQ", 36, len(dialects), 0x01, 0,
                           caps, client_guid or os.urandom(16), 0)
        body += b"".join(struct.pack("<H", d) for d in dialects)
        r = self.call(NEGOTIATE, body, what="NEGOTIATE", charge=0,
                      credits=credits)
        self.dialect = struct.unpack_from("<H", r.body, 4)[0]
        self.max_read = struct.unpack_from("<I", r.body, 32)[0]
        return r

    @staticmethod
    def ntlm_negotiate_token():
        """(type1, SPNEGO NegTokenInit carrying it)."""
        t1 = ntlm.getNTLMSSPType1("", "", False)
        blob = SPNEGO_NegTokenInit()
        blob["MechTypes"] = [TypesMech[
            "NTLMSSP - Microsoft NTLM Security Support Provider"]]
        blob["MechToken"] = t1.getData()
        return t1, blob.getData()

    @staticmethod
    def session_setup_body(token, prev=0):
        return struct.pack("<HBBIIHHQ", 25, 0, 0x01, 0, 0, HDR_LEN + 24,
                           len(token), prev) + token

    def logon(self, user="", password="", domain="", credits=32):
        """NTLMv2 logon (a null session for user ""); sets self.sid."""
        t1, tok = self.ntlm_negotiate_token()
        r = self.call(SESSION_SETUP, self.session_setup_body(tok),
                      ok=(STATUS_MORE_PROCESSING_REQUIRED,),
                      what="SESSION_SETUP 1", sid=0, credits=credits)
        self.sid = r.session_id
        off, ln = struct.unpack_from("<HH", r.body, 4)
        resp = SPNEGO_NegTokenResp(r.raw[off:off + ln])
        t3, _key = ntlm.getNTLMSSPType3(t1, resp["ResponseToken"], user,
                                        password, domain)
        blob = SPNEGO_NegTokenResp()
        blob["ResponseToken"] = t3.getData()
        r = self.call(SESSION_SETUP, self.session_setup_body(blob.getData()),
                      what="SESSION_SETUP 2", credits=credits)
        return r

    def tree_connect(self, share, set_tid=True, **kw):
        path = utf16("\\\\%s\\%s" % (self.host, share))
        body = struct.pack("<HHHH", 9, 0, HDR_LEN + 8, len(path)) + path
        r = self.call(TREE_CONNECT, body, what="TREE_CONNECT " + share,
                      tid=0, **kw)
        if set_tid:
            self.tid = r.tree_id
        return r.tree_id

    def tree_connect_body(self, share):
        path = utf16("\\\\%s\\%s" % (self.host, share))
        return struct.pack("<HHHH", 9, 0, HDR_LEN + 8, len(path)) + path

    def logoff(self):
        return self.call(LOGOFF, struct.pack("<HH", 4, 0), ok=None)

    def echo(self, credits=1, **kw):
        return self.call(ECHO, struct.pack("<HH", 4, 0), credits=credits,
                         what="ECHO", **kw)

    # ---- files ----

    @staticmethod
    def create_body(name, access=RW_ACCESS, disposition=FILE_OPEN,
                    options=0, share=SHARE_ALL, attrs=0, oplock=0,
                    contexts=()):
        n = utf16(name)
        blob = create_contexts(list(contexts))
        coff = 0
        if blob:
            n = pad8(n) if n else bytes(8)
            coff = HDR_LEN + 56 + len(n)
        body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, oplock, 2, 0, 0, access,
                           attrs, share, disposition, options, HDR_LEN + 56,
                           len(utf16(name)), coff, len(blob))
        return body + (n if n else b"\0") + blob

    def create_ctx(self, name, contexts, oplock=OPLOCK_NONE,
                   access=RW_ACCESS, disposition=FILE_OPEN, share=SHARE_ALL,
                   **kw):
        """CREATE with contexts: (FileId, oplock level, response contexts,
        Reply). kw as for call (ok=None accepts any status)."""
        r = self.call(CREATE, self.create_body(name, access, disposition,
                                               share=share, oplock=oplock,
                                               contexts=contexts),
                      what="CREATE " + name, **kw)
        if r.status != STATUS_SUCCESS:
            return None, 0, {}, r
        return r.body[64:80], r.body[2], parse_contexts(r), r

    def create(self, name, access=RW_ACCESS, disposition=FILE_OPEN,
               options=0, share=SHARE_ALL, **kw):
        r = self.call(CREATE, self.create_body(name, access, disposition,
                                               options, share),
                      what="CREATE " + name, **kw)
        return r.body[64:80]

    def create_oplock(self, name, oplock, access=RW_ACCESS,
                      disposition=FILE_OPEN, share=SHARE_ALL, **kw):
        """CREATE asking for an oplock: (FileId, granted level)."""
        r = self.call(CREATE, self.create_body(name, access, disposition,
                                               share=share, oplock=oplock),
                      what="CREATE " + name, **kw)
        return r.body[64:80], r.body[2]

    def wait_break(self, timeout=None):
        """The next oplock break notification: (FileId, level)."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while not self.breaks:
            for r in self.recv(max(0.001, deadline - time.monotonic())):
                self.pending[r.mid] = r
        r = self.breaks.pop(0)
        return r.body[8:24], r.body[2]

    def wait_lease_break(self, timeout=None):
        """The next lease break notification [2.2.23.2]: (key, current
        state, new state, flags). Oplock breaks before it are dropped."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            while not self.breaks:
                for r in self.recv(max(0.001,
                                       deadline - time.monotonic())):
                    self.pending[r.mid] = r
            r = self.breaks.pop(0)
            if struct.unpack_from("<H", r.body, 0)[0] == 44:
                _sz, _epoch, flags, key, cur, new = struct.unpack_from(
                    "<HHI16sII", r.body, 0)
                return key, cur, new, flags

    def lease_ack(self, key, state, **kw):
        """Acknowledge a lease break [2.2.24.2] (the reply; any status)."""
        return self.call(OPLOCK_BREAK,
                         struct.pack("<HHI16sIQ", 36, 0, 0, key, state, 0),
                         ok=None, what="LEASE_BREAK", **kw)

    @staticmethod
    def set_info_body(fid, cls, data, info_type=1):
        """SET_INFO of class cls (info_type 1: a file class) with data
        [2.2.39]."""
        return struct.pack("<HBBIHHI16s", 33, info_type, cls, len(data),
                           HDR_LEN + 32, 0, 0, fid) + data

    @staticmethod
    def rename_info(name, replace=False):
        """FILE_RENAME_INFORMATION, SMB2 form [MS-FSCC 2.4.37.2]."""
        n = utf16(name)
        return struct.pack("<B7sQI", 1 if replace else 0, bytes(7), 0,
                           len(n)) + n

    def rename(self, fid, new_name, replace=False, **kw):
        """SET_INFO FileRenameInformation: fid to new_name."""
        return self.call(SET_INFO, self.set_info_body(
            fid, 10, self.rename_info(new_name, replace)),
            what="SET_INFO rename", **kw)

    def oplock_ack(self, fid, level, **kw):
        """Acknowledge a break (the reply; any status)."""
        return self.call(OPLOCK_BREAK,
                         struct.pack("<HBBI16s", 24, level, 0, 0, fid),
                         ok=None, what="OPLOCK_BREAK", **kw)

    def open_dir(self, name=""):
        return self.create(name, access=FILE_LIST_DIRECTORY |
                           FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                           disposition=FILE_OPEN,
                           options=FILE_DIRECTORY_FILE)

    @staticmethod
    def close_body(fid):
        return struct.pack("<HHI16s", 24, 0, 0, fid)

    def close(self, fid):
        return self.call(CLOSE, self.close_body(fid), what="CLOSE")

    @staticmethod
    def read_body(fid, offset, length):
        return struct.pack("<HBBIQ16sIIIHH", 49, 0x50, 0, length, offset,
                           fid, 0, 0, 0, 0, 0) + b"\0"

    def read(self, fid, offset, length):
        r = self.call(READ, self.read_body(fid, offset, length), what="READ",
                      charge=self.charge_for(length))
        doff, dlen = struct.unpack_from("<BxI", r.body, 2)
        return r.raw[doff:doff + dlen]

    def write(self, fid, data, offset=0):
        body = struct.pack("<HHIQ16sIIHHI", 49, HDR_LEN + 48, len(data),
                           offset, fid, 0, 0, 0, 0, 0) + data
        return self.call(WRITE, body, what="WRITE",
                         charge=self.charge_for(len(data)))

    @staticmethod
    def lock_body(fid, offset, length, flags=LOCK_EXCLUSIVE |
                  LOCK_FAIL_IMMEDIATELY):
        return struct.pack("<HHI16sQQII", 48, 1, 0, fid, offset, length,
                           flags, 0)

    @staticmethod
    def query_directory_body(fid, pattern="*", cls=FILE_NAMES_INFORMATION,
                             flags=0, outlen=65536):
        p = utf16(pattern)
        return struct.pack("<HBBI16sHHI", 33, cls, flags, 0, fid,
                           HDR_LEN + 32 if p else 0, len(p), outlen) + (
                               p if p else b"\0")

    def query_directory(self, fid, pattern="*", flags=0, outlen=65536,
                        cls=FILE_NAMES_INFORMATION, **kw):
        return self.call(QUERY_DIRECTORY,
                         self.query_directory_body(fid, pattern, cls, flags,
                                                   outlen),
                         ok=None, charge=self.charge_for(outlen), **kw)

    def list_dir(self, fid, pattern="*"):
        """Names in the directory (FileNamesInformation), all of them."""
        names = []
        flags = QD_RESTART_SCANS
        while True:
            r = self.query_directory(fid, pattern, flags=flags)
            flags = 0
            if r.status == STATUS_NO_MORE_FILES:
                return names
            if r.status != STATUS_SUCCESS:
                raise Failed("QUERY_DIRECTORY", r)
            off, ln = struct.unpack_from("<HI", r.body, 2)
            buf = r.raw[off:off + ln]
            pos = 0
            while pos < len(buf):
                nxt, _idx, nlen = struct.unpack_from("<III", buf, pos)
                names.append(buf[pos + 12:pos + 12 + nlen].decode(
                    "utf-16-le"))
                if not nxt:
                    break
                pos += nxt

    @staticmethod
    def change_notify_body(fid, flt=0x17, tree=False, outlen=4096):
        return struct.pack("<HHI16sII", 32, 1 if tree else 0, outlen, fid,
                           flt, 0)


def grow_credits(c, target, per_echo=8000, rounds=8):
    """ECHOs asking for per_echo credits until c.available() >= target or
    the server stops granting; returns c.available()."""
    for _ in range(rounds):
        if c.available() >= target:
            break
        before = c.granted
        c.echo(credits=per_echo)
        if c.granted - before <= 1:
            break
    return c.available()


def logged_on(port, user, password, share="demo", credits=512, timeout=30,
              src=None):
    """A Conn to port (from address src: another client computer),
    negotiated, logged on as user, with its credits grown to credits
    (grow_credits) and share connected."""
    c = Conn(port, src=src, timeout=timeout)
    c.negotiate()
    c.logon(user, password)
    grow_credits(c, credits)
    c.tree_connect(share)
    return c


def write_body(fid, buf, offset, data_off=HDR_LEN + 48, pad=b"",
               trailer=b""):
    """A WRITE request's body: buf at offset of fid, its data at data_off
    from the header's start (after pad), trailer after it."""
    return struct.pack("<HHIQ16sIIHHI", 49, data_off, len(buf), offset,
                       fid, 0, 0, 0, 0, 0) + pad + buf + trailer
