#!/usr/bin/python3
"""rpc_client.py - impacket client computers for test_rpc.sh (not a test
of its own).

    /usr/bin/python3 rpc_client.py PORT COMMAND [options]

Every TCP connection comes from --addr (127.0.0.N, default 127.0.0.1): the
server tells client computers apart by source address. Credentials: --anon
for a null session, else --user / --password (alice).

Commands
  login     log on, list --share: "LOGIN OK" / "LOGIN FAILED <STATUS>",
            "SHARE <name> OK" / "SHARE <name> FAILED <STATUS>".
  hold      log on, create --open FILE on --share and keep it open
            (writing --data bytes to it first); "READY"; then
              SIGUSR2  READ the file: "PROBE OK" / "PROBE FAILED <STATUS>"
              SIGTERM  exit without logging off
            exits by itself after --max-time.
  spool     open \\PIPE\\spoolss on IPC$, bind, RpcOpenPrinterEx(--printer)
            and keep the handle: "READY handle=<hex>"; with --busy N it
            then calls RpcGetPrinter(2) every half second for N seconds
            ("BUSY <i> OK" / "BUSY <i> FAILED <why>", then "BUSY DONE");
            SIGUSR2 -> one RpcGetPrinter: "PROBE OK" / "PROBE FAILED <why>";
            SIGTERM exits without closing anything.
  services  case 5 of test_rpc.sh: srvs, wkst and rprn calls; one line
            "OK <what> :: <detail>" or "BAD <what> :: <detail>" each.
  putfile   create --open FILE on --share with --data bytes, close it:
            "PUT OK <name>" / "PUT FAILED <STATUS>".
  print     RpcOpenPrinterEx + RpcStartDocPrinter(DOC_INFO_1, RAW) +
            RpcWritePrinter (--chunk bytes at a time) of --file +
            RpcEndDocPrinter + RpcClosePrinter: "JOB <id> written=<n>"
            or "PRINT FAILED <step> <why>".
  handles   open printer handles on one spoolss pipe until refused, then
            on a second pipe of the same session; "OK"/"BAD" as services.
  malformed case 8: raw PDUs on \\srvsvc (FSCTL_PIPE_TRANSCEIVE and
            WRITE/READ); one line per PDU "OK <what> :: <outcome>" or
            "BAD <what> :: <outcome>".
Status names are impacket's (STATUS_REQUEST_NOT_ACCEPTED, ...).
"""

import argparse
import os
import signal
import socket
import struct
import sys
import time

import wgcheck

from impacket import system_errors
from impacket.nt_errors import ERROR_MESSAGES
from impacket.smbconnection import SMBConnection, SessionError
from impacket.smb3 import SessionError as Smb3SessionError
from impacket.smb3structs import SMB2_DIALECT_21, FILE_READ_DATA, \
    FILE_WRITE_DATA
from impacket.dcerpc.v5 import transport, srvs, wkst, rprn
from impacket.dcerpc.v5.rpcrt import DCERPCException
from impacket.dcerpc.v5.dtypes import DWORD, LPWSTR, NULL, ULONG
from impacket.dcerpc.v5.ndr import NDRCALL, NDRSTRUCT, NDRUNION, NDRPOINTER
# dce.request() looks the XResponse class and DCERPCSessionError up in the
# module of the request: the calls impacket lacks are defined here.
from impacket.dcerpc.v5.rprn import DCERPCSessionError, PRINTER_HANDLE, \
    BYTE_ARRAY, PBYTE_ARRAY  # noqa: F401

HOST = os.environ.get("WG_HOST", "127.0.0.1")
SRC = None
_real_connect = socket.socket.connect


def _bound_connect(self, addr):
    if (SRC is not None and self.family == socket.AF_INET
            and self.type == socket.SOCK_STREAM
            and self.getsockname() == ("0.0.0.0", 0)):
        self.bind((SRC, 0))
    return _real_connect(self, addr)


socket.socket.connect = _bound_connect


def out(line):
    print(line, flush=True)


def status(e):
    if isinstance(e, (SessionError, Smb3SessionError)):
        code = e.getErrorCode() if isinstance(e, SessionError) \
            else e.get_error_code()
        return ERROR_MESSAGES.get(code, ("0x%08x" % code,))[0]
    if isinstance(e, DCERPCException):
        code = e.get_error_code()
        if code is not None:
            name = system_errors.ERROR_MESSAGES.get(code, (None,))[0]
            if name is None:
                from impacket.dcerpc.v5.rpcrt import rpc_status_codes
                name = rpc_status_codes.get(code, "0x%08x" % code)
            return name
    return "%s:%s" % (type(e).__name__, str(e).replace("\n", " ")[:160])


# --- spoolss calls impacket does not have [MS-RPRN] ---

class RpcGetPrinter(NDRCALL):
    opnum = 8
    structure = (
        ("hPrinter", PRINTER_HANDLE),
        ("Level", DWORD),
        ("pPrinter", PBYTE_ARRAY),
        ("cbBuf", DWORD),
    )


class RpcGetPrinterResponse(NDRCALL):
    structure = (
        ("pPrinter", PBYTE_ARRAY),
        ("pcbNeeded", DWORD),
        ("ErrorCode", ULONG),
    )


class DOC_INFO_1(NDRSTRUCT):
    structure = (
        ("pDocName", LPWSTR),
        ("pOutputFile", LPWSTR),
        ("pDatatype", LPWSTR),
    )


class PDOC_INFO_1(NDRPOINTER):
    referent = (("Data", DOC_INFO_1),)


class DOC_INFO_UNION(NDRUNION):
    commonHdr = (("tag", ULONG),)
    union = {1: ("pDocInfo1", PDOC_INFO_1)}


class DOC_INFO_CONTAINER(NDRSTRUCT):
    structure = (
        ("Level", DWORD),
        ("DocInfo", DOC_INFO_UNION),
    )


class RpcStartDocPrinter(NDRCALL):
    opnum = 17
    structure = (
        ("hPrinter", PRINTER_HANDLE),
        ("pDocInfoContainer", DOC_INFO_CONTAINER),
    )


class RpcStartDocPrinterResponse(NDRCALL):
    structure = (
        ("pJobId", DWORD),
        ("ErrorCode", ULONG),
    )


class RpcWritePrinter(NDRCALL):
    opnum = 19
    structure = (
        ("hPrinter", PRINTER_HANDLE),
        ("pBuf", BYTE_ARRAY),
        ("cbBuf", DWORD),
    )


class RpcWritePrinterResponse(NDRCALL):
    structure = (
        ("pcWritten", DWORD),
        ("ErrorCode", ULONG),
    )


class RpcEndDocPrinter(NDRCALL):
    opnum = 23
    structure = (("hPrinter", PRINTER_HANDLE),)


class RpcEndDocPrinterResponse(NDRCALL):
    structure = (("ErrorCode", ULONG),)


def client_info(a):
    ci = rprn.SPLCLIENT_CONTAINER()
    ci["Level"] = 1
    ci["ClientInfo"]["tag"] = 1
    i1 = ci["ClientInfo"]["pClientInfo1"]
    i1["dwSize"] = 28
    i1["pMachineName"] = "\\\\%s\x00" % (SRC or "127.0.0.1")
    i1["pUserName"] = "%s\x00" % ("" if a.anon else a.user)
    i1["dwBuildNum"] = 9600
    i1["dwMajorVersion"] = 6
    i1["dwMinorVersion"] = 3
    i1["wProcessorArchitecture"] = 9
    return ci


class RpcCreatePrinterIC(NDRCALL):
    opnum = 40
    structure = (
        ("hPrinter", PRINTER_HANDLE),
        ("pDevModeContainer", rprn.DEVMODE_CONTAINER),
    )


class RpcCreatePrinterICResponse(NDRCALL):
    structure = (
        ("pHandle", PRINTER_HANDLE),
        ("ErrorCode", ULONG),
    )


def create_printer_ic(dce, handle):
    """RpcCreatePrinterIC with no DEVMODE: the IC handle."""
    req = RpcCreatePrinterIC()
    req["hPrinter"] = handle
    req["pDevModeContainer"]["cbBuf"] = 0
    req["pDevModeContainer"]["pDevMode"] = NULL
    return dce.request(req)["pHandle"]


def open_printer(dce, a, name):
    return rprn.hRpcOpenPrinterEx(dce, name, pClientInfo=client_info(a),
                                  accessRequired=rprn.SERVER_READ
                                  if name.count("\\") <= 2 else 0x00000008)


def get_printer(dce, handle, level):
    """RpcGetPrinter the RPRN way: ask the size, then with that buffer."""
    req = RpcGetPrinter()
    req["hPrinter"] = handle
    req["Level"] = level
    req["pPrinter"] = NULL
    req["cbBuf"] = 0
    need = 0
    try:
        dce.request(req)
    except DCERPCSessionError as e:
        if e.get_error_code() != 0x7a:  # ERROR_INSUFFICIENT_BUFFER
            raise
        need = e.get_packet()["pcbNeeded"]
    req = RpcGetPrinter()
    req["hPrinter"] = handle
    req["Level"] = level
    req["pPrinter"] = b"\0" * need
    req["cbBuf"] = need
    resp = dce.request(req)
    return b"".join(resp["pPrinter"]) if need else b""


# Offsets (in DWORDs) of the string fields of PRINTER_INFO_1/2/4.
PI_FIELDS = {
    1: (16, [(1, "pDescription"), (2, "pName"), (3, "pComment")]),
    2: (84, [(0, "pServerName"), (1, "pPrinterName"), (2, "pShareName"),
             (3, "pPortName"), (4, "pDriverName"), (5, "pComment"),
             (6, "pLocation"), (8, "pSepFile"), (9, "pPrintProcessor"),
             (10, "pDatatype"), (11, "pParameters")]),
    4: (12, [(0, "pPrinterName"), (1, "pServerName")]),
}


def utf16z(buf, off):
    end = off
    while end + 1 < len(buf) and buf[end:end + 2] != b"\0\0":
        end += 2
    return buf[off:end].decode("utf-16-le")


def parse_printer_info(blob, level, count):
    """The custom-marshaled PRINTER_INFO array: dicts of the strings."""
    size, fields = PI_FIELDS[level]
    res = []
    for i in range(count):
        base = i * size
        d = {}
        for idx, name in fields:
            off = struct.unpack_from("<I", blob, base + 4 * idx)[0]
            d[name] = None if off == 0 else utf16z(blob, base + off)
        res.append(d)
    return res


# --- connections ---

def new_conn(a):
    return SMBConnection(HOST, HOST, sess_port=a.port, timeout=15,
                         preferredDialect=SMB2_DIALECT_21
                         if a.dialect == "2.1" else None)


def login(conn, a):
    if a.anon:
        conn.login("", "")
    else:
        conn.login(a.user, a.password)


def bind_pipe(conn, a, pipe, uuid):
    t = transport.SMBTransport(HOST, a.port, filename="\\" + pipe,
                               smb_connection=conn)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(uuid)
    return dce


def cmd_login(a):
    conn = new_conn(a)
    try:
        login(conn, a)
    except Exception as e:  # noqa: BLE001
        out("LOGIN FAILED %s" % status(e))
        return 0
    out("LOGIN OK")
    for sh in a.share:
        try:
            conn.listPath(sh, "*")
            out("SHARE %s OK" % sh)
        except Exception as e:  # noqa: BLE001
            out("SHARE %s FAILED %s" % (sh, status(e)))
    try:
        conn.logoff()
    except Exception:  # noqa: BLE001
        pass
    return 0


def wait_signals(a, probe):
    events = []
    signal.signal(signal.SIGUSR2, lambda *_: events.append("probe"))
    signal.signal(signal.SIGTERM, lambda *_: events.append("term"))
    end = time.monotonic() + a.max_time
    while time.monotonic() < end:
        while events:
            if events.pop(0) == "term":
                return 0
            probe()
        time.sleep(0.05)
    out("MAX TIME")
    return 0


def cmd_hold(a):
    conn = new_conn(a)
    try:
        login(conn, a)
        tid = conn.connectTree(a.share[0])
        fid = conn.createFile(tid, a.open)
        conn.writeFile(tid, fid, b"x" * a.data)
    except Exception as e:  # noqa: BLE001
        out("SETUP FAILED %s" % status(e))
        return 1
    out("READY")

    def probe():
        try:
            conn.readFile(tid, fid, 0, 16)
            out("PROBE OK")
        except Exception as e:  # noqa: BLE001
            out("PROBE FAILED %s" % status(e))
    return wait_signals(a, probe)


def cmd_putfile(a):
    """Create --open on --share with --data bytes and close it."""
    conn = new_conn(a)
    try:
        login(conn, a)
        tid = conn.connectTree(a.share[0])
        fid = conn.createFile(tid, a.open)
        conn.writeFile(tid, fid, b"y" * a.data)
        conn.closeFile(tid, fid)
        conn.logoff()
    except Exception as e:  # noqa: BLE001
        out("PUT FAILED %s" % status(e))
        return 1
    out("PUT OK %s" % a.open)
    return 0


def cmd_spool(a):
    conn = new_conn(a)
    try:
        login(conn, a)
        dce = bind_pipe(conn, a, "spoolss", rprn.MSRPC_UUID_RPRN)
        h = open_printer(dce, a, a.printer)["pHandle"]
    except Exception as e:  # noqa: BLE001
        out("SETUP FAILED %s" % status(e))
        return 1
    out("READY handle=%s" % bytes(h).hex())

    def probe(tag="PROBE"):
        try:
            info = parse_printer_info(get_printer(dce, h, 2), 2, 1)[0]
            out("%s OK %s" % (tag, info["pPrinterName"]))
        except Exception as e:  # noqa: BLE001
            out("%s FAILED %s" % (tag, status(e)))
    # every half second: the daemon's null session limit in test_rpc.sh
    # is 2 s, and a 1 s period left a loaded machine 1 s of slack
    for i in range(2 * a.busy):
        time.sleep(0.5)
        probe("BUSY %d" % (i + 1))
    if a.busy:
        out("BUSY DONE")
    return wait_signals(a, probe)


def cmd_print(a):
    data = open(a.file, "rb").read()
    step = "logon"
    try:
        conn = new_conn(a)
        login(conn, a)
        step = "bind"
        dce = bind_pipe(conn, a, "spoolss", rprn.MSRPC_UUID_RPRN)
        step = "OpenPrinterEx"
        h = open_printer(dce, a, a.printer)["pHandle"]
        step = "StartDocPrinter"
        req = RpcStartDocPrinter()
        req["hPrinter"] = h
        req["pDocInfoContainer"]["Level"] = 1
        req["pDocInfoContainer"]["DocInfo"]["tag"] = 1
        d1 = req["pDocInfoContainer"]["DocInfo"]["pDocInfo1"]
        d1["pDocName"] = a.doc + "\x00"
        d1["pOutputFile"] = NULL
        d1["pDatatype"] = "RAW\x00"
        job = dce.request(req)["pJobId"]
        step = "WritePrinter"
        written = 0
        for off in range(0, len(data), a.chunk):
            part = data[off:off + a.chunk]
            req = RpcWritePrinter()
            req["hPrinter"] = h
            req["pBuf"] = list(part)
            req["cbBuf"] = len(part)
            written += dce.request(req)["pcWritten"]
        step = "EndDocPrinter"
        req = RpcEndDocPrinter()
        req["hPrinter"] = h
        dce.request(req)
        step = "ClosePrinter"
        rprn.hRpcClosePrinter(dce, h)
    except Exception as e:  # noqa: BLE001
        out("PRINT FAILED %s %s" % (step, status(e)))
        return 1
    out("JOB %d written=%d" % (job, written))
    return 0


# --- case 5: the services through impacket ---

class Checks:
    def __init__(self):
        self.bad = 0

    def ok(self, what, detail):
        out("OK %s :: %s" % (what, detail))

    def fail(self, what, detail):
        self.bad += 1
        out("BAD %s :: %s" % (what, detail))

    def check(self, what, cond, detail):
        (self.ok if cond else self.fail)(what, detail)

    def run(self, what, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            self.fail(what, "raised %s" % status(e))


def cmd_services(a):
    c = Checks()
    conn = new_conn(a)
    login(conn, a)
    dce = bind_pipe(conn, a, "srvsvc", srvs.MSRPC_UUID_SRVS)

    def share_enum(level):
        r = srvs.hNetrShareEnum(dce, level)
        arr = r["InfoStruct"]["ShareInfo"]["Level%d" % level]["Buffer"]
        got = {}
        for e in arr:
            got[e["shi%d_netname" % level][:-1]] = e
        want = {"demo": 0, "lp": 1, "IPC$": 3}
        types = {n: (got[n]["shi%d_type" % level] & 0xff)
                 for n in want if n in got}
        desc = ", ".join("%s type %d %r" % (
            n, got[n]["shi%d_type" % level],
            got[n]["shi%d_remark" % level][:-1]) for n in got)
        if level == 2:
            desc += "; paths " + ", ".join("%s=%r" % (
                n, got[n]["shi2_path"][:-1]) for n in got)
        ok = types == want and got.get("lp") is not None and \
            got["lp"]["shi%d_remark" % level][:-1] == a.lp_comment
        if level == 2:
            ok = ok and got["demo"]["shi2_path"][:-1].endswith(
                a.demo_path.replace("/", "\\"))
        c.check("NetrShareEnum level %d" % level, ok, desc)
    c.run("NetrShareEnum level 1", lambda: share_enum(1))
    c.run("NetrShareEnum level 2", lambda: share_enum(2))

    def server_info():
        r = srvs.hNetrServerGetInfo(dce, 101)["InfoStruct"]["ServerInfo101"]
        name = r["sv101_name"][:-1]
        desc = "name %s platform %d version %d.%d type 0x%x comment %r" % (
            name, r["sv101_platform_id"], r["sv101_version_major"],
            r["sv101_version_minor"], r["sv101_type"],
            r["sv101_comment"][:-1])
        c.check("NetrServerGetInfo level 101", name == a.name and
                r["sv101_platform_id"] == 500 and
                r["sv101_type"] & 0x3 == 0x3, desc)
    c.run("NetrServerGetInfo level 101", server_info)

    def sess_enum():
        r = srvs.hNetrSessionEnum(dce, NULL, NULL, 10)
        arr = r["InfoStruct"]["SessionInfo"]["Level10"]["Buffer"]
        ents = ["%s/%s idle %ds" % (e["sesi10_cname"][:-1],
                                    e["sesi10_username"][:-1],
                                    e["sesi10_idle_time"]) for e in arr]
        me = "\\\\%s" % (SRC or "127.0.0.1")
        c.check("NetrSessionEnum level 10 (admin)", any(
            e["sesi10_cname"][:-1] == me and
            e["sesi10_username"][:-1] == a.user for e in arr),
            "; ".join(ents))
    c.run("NetrSessionEnum level 10 (admin)", sess_enum)

    def wksta():
        d2 = bind_pipe(conn, a, "wkssvc", wkst.MSRPC_UUID_WKST)
        r = wkst.hNetrWkstaGetInfo(d2, 100)["WkstaInfo"]["WkstaInfo100"]
        desc = "computer %s langroup %s platform %d version %d.%d" % (
            r["wki100_computername"][:-1], r["wki100_langroup"][:-1],
            r["wki100_platform_id"], r["wki100_ver_major"],
            r["wki100_ver_minor"])
        c.check("NetrWkstaGetInfo level 100",
                r["wki100_computername"][:-1] == a.name and
                r["wki100_langroup"][:-1] == a.workgroup, desc)
        d2.disconnect()
    c.run("NetrWkstaGetInfo level 100", wksta)

    sp = bind_pipe(conn, a, "spoolss", rprn.MSRPC_UUID_RPRN)

    def enum_printers():
        r = rprn.hRpcEnumPrinters(sp, rprn.PRINTER_ENUM_LOCAL, level=2)
        n = r["pcReturned"]
        infos = parse_printer_info(b"".join(r["pPrinterEnum"]), 2, n)
        lp = [i for i in infos if i["pShareName"] == "lp"]
        desc = "; ".join("%s share %s comment %r port %s datatype %s" % (
            i["pPrinterName"], i["pShareName"], i["pComment"],
            i["pPortName"], i["pDatatype"]) for i in infos)
        c.check("RpcEnumPrinters level 2", len(lp) == 1 and
                lp[0]["pPrinterName"] == "\\\\%s\\lp" % a.name and
                lp[0]["pComment"] == a.lp_comment, desc)
    c.run("RpcEnumPrinters level 2", enum_printers)

    def open_get_close():
        name = "\\\\%s\\lp" % a.name
        h = open_printer(sp, a, name)["pHandle"]
        info = parse_printer_info(get_printer(sp, h, 2), 2, 1)[0]
        r = rprn.hRpcClosePrinter(sp, h)
        zero = bytes(r["phPrinter"]) == b"\0" * 20
        desc = "OpenPrinterEx(%s) handle %s; GetPrinter 2: %s share %s " \
            "comment %r server %s; ClosePrinter: handle zeroed %s" % (
                name, bytes(h)[4:12].hex(), info["pPrinterName"],
                info["pShareName"], info["pComment"], info["pServerName"],
                zero)
        c.check("RpcOpenPrinterEx + RpcGetPrinter 2 + RpcClosePrinter",
                info["pPrinterName"] == name and info["pShareName"] == "lp"
                and info["pComment"] == a.lp_comment and zero, desc)
        try:
            get_printer(sp, h, 2)
            c.fail("RpcGetPrinter on the closed handle", "answered")
        except Exception as e:  # noqa: BLE001
            c.ok("RpcGetPrinter on the closed handle", status(e))
    c.run("RpcOpenPrinterEx + RpcGetPrinter 2 + RpcClosePrinter",
          open_get_close)
    return 1 if c.bad else 0


def cmd_handles(a):
    """The per-session printer handle limit: open handles on one spoolss
    pipe until refused, then on a second pipe of the same session."""
    c = Checks()
    conn = new_conn(a)
    login(conn, a)
    counts, errs, pipes, lasts = [], [], [], []
    for _ in range(2):
        sp = bind_pipe(conn, a, "spoolss", rprn.MSRPC_UUID_RPRN)
        n, err, last = 0, None, None
        while n < 300 and err is None:
            try:
                last = open_printer(sp, a, "\\\\%s\\lp" % a.name)
                n += 1
            except Exception as e:  # noqa: BLE001
                err = status(e)
        counts.append(n)
        errs.append(err)
        pipes.append(sp)
        lasts.append(last)
    detail = "pipe 1: %d handles, then %s; a second pipe of the same " \
        "session: %d more, then %s" % (counts[0], errs[0], counts[1],
                                        errs[1])
    c.check("a session's printer handles are capped, past the cap "
            "insufficient resources", counts[0] > 0 and counts[1] == 0 and
            errs[0] is not None and "RESOURCES" in errs[0], detail)
    # An information context is a handle of the same budget.
    ic = "no printer handle to make it on"
    if lasts[0] is not None:
        try:
            create_printer_ic(pipes[0], lasts[0]["pHandle"])
            ic = "granted"
        except Exception as e:  # noqa: BLE001
            ic = status(e)
    c.check("CreatePrinterIC past the handle cap is refused with "
            "insufficient resources", "RESOURCES" in ic,
            "CreatePrinterIC: %s" % ic)
    return 1 if c.bad else 0


# --- case 8: malformed RPC ---

SRVSVC_SYNTAX = bytes.fromhex("c84f324b7016d30112785a47bf6ee188") + \
    struct.pack("<HH", 3, 0)
NDR32 = bytes.fromhex("045d888aeb1cc9119fe808002b104860") + \
    struct.pack("<I", 2)
PTYPES = {2: "response", 3: "fault", 12: "bind_ack", 13: "bind_nak"}
FAULTS = {
    0x1c010002: "nca_op_rng_error", 0x1c010003: "nca_unk_if",
    0x1c01000b: "nca_proto_error", 0x000006f7: "rpc_x_bad_stub_data",
    0x1c000009: "nca_s_fault_ndr", 0x00000005: "access_denied",
    0x1c00001b: "nca_out_args_too_big", 0x1c000012: "nca_s_fault_remote_no_memory",
    0x1c00001c: "nca_server_too_busy", 0x00000721: "rpc_s_protocol_error"}


def hdr(ptype, flags, body_len, call_id, drep=b"\x10\0\0\0",
        frag_len=None):
    fl = 16 + body_len if frag_len is None else frag_len
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, drep, fl, 0,
                       call_id)


def bind_pdu(call_id=1, syntax=SRVSVC_SYNTAX, xfer=NDR32, n_ctx=1,
             claim_ctx=None):
    ctx = struct.pack("<HBB", 0, 1, 0) + syntax + xfer
    body = struct.pack("<HHIB3s", 4280, 4280, 0,
                       n_ctx if claim_ctx is None else claim_ctx,
                       b"\0\0\0") + ctx * n_ctx
    return hdr(11, 3, len(body), call_id) + body


def req_pdu(opnum, stub, call_id=2, flags=3, alloc_hint=None, ctx=0,
            drep=b"\x10\0\0\0", frag_len=None):
    body = struct.pack("<IHH", len(stub) if alloc_hint is None
                       else alloc_hint, ctx, opnum) + stub
    return hdr(0, flags, len(body), call_id, drep, frag_len) + body


def ndr_wstr(s):
    """A unique pointer to a conformant varying UTF-16 string."""
    u = (s + "\0").encode("utf-16-le")
    n = len(u) // 2
    b = struct.pack("<IIII", 0x20000, n, 0, n) + u
    return b + b"\0" * (-len(b) % 4)


# NetrServerGetInfo(NULL server, level 101): a valid stub.
STUB_SRVINFO = struct.pack("<II", 0, 101)


def describe(data):
    """What came back on the pipe: list of PDU descriptions."""
    res = []
    while len(data) >= 16:
        ptype = data[2]
        fl = struct.unpack_from("<H", data, 8)[0]
        pdu = data[:fl]
        d = PTYPES.get(ptype, "ptype %d" % ptype)
        d += " call %d" % struct.unpack_from("<I", pdu, 12)[0]
        if ptype == 3 and len(pdu) >= 28:
            st = struct.unpack_from("<I", pdu, 24)[0]
            d += " %s (0x%08x)" % (FAULTS.get(st, "?"), st)
        if ptype == 13 and len(pdu) >= 18:
            d += " reason %d" % struct.unpack_from("<H", pdu, 16)[0]
        if ptype == 12:
            # bind_ack: after the secondary address, the results
            off = 24
            sa = struct.unpack_from("<H", pdu, off)[0]
            off += 2 + sa
            off += -off % 4
            nres = pdu[off]
            r0 = struct.unpack_from("<H", pdu, off + 4)[0] if nres else None
            d += " (result %s)" % r0
        res.append(d)
        data = data[fl:]
    if data:
        res.append("%d stray bytes" % len(data))
    return res


def runs(items):
    """Collapse repeats: ["a", "a", "b"] -> ["a x2", "b"]."""
    res = []
    for x in items:
        if res and res[-1][0] == x:
            res[-1][1] += 1
        else:
            res.append([x, 1])
    return [x if n == 1 else "%s x%d" % (x, n) for x, n in res]


class Pipe:
    """\\srvsvc opened on IPC$ of an existing connection."""

    def __init__(self, conn, tid):
        self.conn, self.tid = conn, tid
        self.fid = conn.openFile(tid, "\\srvsvc",
                                 desiredAccess=FILE_READ_DATA |
                                 FILE_WRITE_DATA)

    def transceive(self, data):
        """-> ('pdus', [..]) or ('status', NAME). One transceive returns
        one queued PDU: empty ones fetch the rest."""
        got = b""
        try:
            while True:
                r = self.conn.getSMBServer().TransactNamedPipe(
                    self.tid, self.fid, data)
                if not r:
                    break
                got += r
                data = b""
            return ("pdus", describe(got))
        except (SessionError, Smb3SessionError) as e:
            if got:
                return ("pdus", describe(got) + [status(e)])
            return ("status", status(e))

    def write(self, data):
        try:
            self.conn.writeFile(self.tid, self.fid, data)
            return None
        except SessionError as e:
            return status(e)

    def close(self):
        try:
            self.conn.closeFile(self.tid, self.fid)
        except Exception:  # noqa: BLE001
            pass


def cmd_malformed(a):
    c = Checks()
    conn = new_conn(a)
    login(conn, a)
    tid = conn.connectTree("IPC$")

    def fresh(bind=True):
        p = Pipe(conn, tid)
        if bind:
            kind, r = p.transceive(bind_pdu())
            if kind != "pdus" or r != ["bind_ack call 1 (result 0)"]:
                raise RuntimeError("bind failed: %s" % (r,))
        return p

    def fault_or_gone(kind, r):
        """A fault (or bind_nak) for every PDU, or the pipe cut."""
        if kind == "status":
            return r == "STATUS_PIPE_DISCONNECTED"
        return bool(r) and all(x.startswith(("fault", "bind_nak"))
                               for x in r)

    def case(what, pdus, bind=True, accept=fault_or_gone, then_valid=True):
        """Send the PDUs on a fresh pipe, one transceive each; accept()
        judges the answer to the last one. Then, unless the pipe was cut,
        a valid NetrServerGetInfo on the same pipe must get its response
        (the stream is in step again)."""
        try:
            p = fresh(bind)
            seen = []
            for pdu in pdus:
                kind, r = p.transceive(pdu)
                seen.append(r if kind == "status" else
                            ",".join(r) or "nothing")
            ok = accept(kind, r)
            detail = "answered: " + " | ".join(runs(seen))
            if then_valid and kind == "pdus":
                k2, r2 = p.transceive(req_pdu(21, STUB_SRVINFO, call_id=77))
                detail += "; then a valid call 77 on the same pipe: %s" % (
                    r2 if k2 == "status" else ",".join(r2))
                if not (k2 == "pdus" and r2 == ["response call 77"]):
                    ok = False
            p.close()
            c.check(what, ok, detail)
        except Exception as e:  # noqa: BLE001
            c.fail(what, "raised %s" % status(e))

    def answered(*want):
        return lambda kind, r: kind == "pdus" and r == list(want)

    def gone(kind, r):
        return kind == "status" and r == "STATUS_PIPE_DISCONNECTED"

    case("unknown opnum 99 (bound)", [req_pdu(99, b"")])
    case("request before bind", [req_pdu(21, STUB_SRVINFO)], bind=False,
         then_valid=False)
    full = req_pdu(21, STUB_SRVINFO)
    case("truncated PDU: frag_length 20, half a request header",
         [full[:8] + struct.pack("<H", 20) + full[10:20]])
    case("truncated stub: NetrServerGetInfo with 2 of its 8 bytes",
         [req_pdu(21, STUB_SRVINFO[:2])])
    case("bad stub: NetrShareEnum with a 0x7fffffff-entry container",
         [req_pdu(15, struct.pack("<IIIIII", 0, 1, 1, 0x20000, 0x7fffffff,
                                  0x20004) + struct.pack("<II", 0xffffffff,
                                                         0))])
    # alloc_hint is only a hint: the call itself is fine, so a normal
    # response is right; what must not happen is a 4 GiB allocation.
    case("huge alloc_hint 0xfffffff0 on a FIRST fragment, then LAST",
         [req_pdu(21, STUB_SRVINFO[:4], flags=1, alloc_hint=0xfffffff0),
          req_pdu(21, STUB_SRVINFO[4:], flags=2, alloc_hint=0xfffffff0)],
         accept=answered("response call 2"))
    case("huge alloc_hint 0xffffffff on a single fragment",
         [req_pdu(21, STUB_SRVINFO, alloc_hint=0xffffffff)],
         accept=answered("response call 2"))
    case("bad fragment order: a middle fragment before FIRST",
         [req_pdu(21, STUB_SRVINFO, flags=0)])
    case("bad fragment order: LAST with no FIRST",
         [req_pdu(21, STUB_SRVINFO, flags=2)])
    case("bad fragment order: FIRST of call 5, then FIRST+LAST of call 6",
         [req_pdu(21, STUB_SRVINFO[:4], flags=1, call_id=5),
          req_pdu(21, STUB_SRVINFO, flags=3, call_id=6)],
         accept=answered("fault call 5 nca_proto_error (0x1c01000b)",
                         "response call 6"))
    case("fragments over the 1 MiB reassembly limit",
         [req_pdu(21, b"\0" * 4000, flags=1, call_id=9)] +
         [req_pdu(21, b"\0" * 4000, flags=0, call_id=9)] * 270 +
         [req_pdu(21, b"\0" * 8, flags=2, call_id=9)])
    case("wrong drep: big-endian integers",
         [req_pdu(21, STUB_SRVINFO, drep=b"\x00\0\0\0")])
    case("wrong drep: EBCDIC characters",
         [req_pdu(21, STUB_SRVINFO, drep=b"\x11\0\0\0")])
    case("frag_length 5000, past the negotiated 4280",
         [req_pdu(21, STUB_SRVINFO + b"\0" * 4960)], accept=gone)
    case("bind offering NDR64 only: provider rejection",
         [bind_pdu(xfer=bytes.fromhex("33057171babe37498319b5dbef9ccc36") +
                   struct.pack("<I", 1))], bind=False, then_valid=False,
         accept=answered("bind_ack call 1 (result 2)"))
    case("bind claiming 5 contexts, carrying 1",
         [bind_pdu(claim_ctx=5)], bind=False, then_valid=False)
    case("request on an unknown context id 7",
         [req_pdu(21, STUB_SRVINFO, ctx=7)])
    case("unknown PDU type 0x42", [hdr(0x42, 3, 8, 3) + b"\0" * 8])
    case("RPC version 4", [b"\x04" + req_pdu(21, STUB_SRVINFO)[1:]])

    # Through WRITE/READ instead of the transceive.
    what = "WRITE/READ: a PDU split over two WRITEs, then READ"
    try:
        p = fresh()
        pdu = req_pdu(21, STUB_SRVINFO, call_id=31)
        e1 = p.write(pdu[:7])
        e2 = p.write(pdu[7:])
        r = describe(conn.readFile(tid, p.fid, 0, 4280))
        c.check(what, e1 is None and e2 is None and r == ["response call 31"],
                "writes %s/%s, read: %s" % (e1 or "OK", e2 or "OK", r))
        p.close()
    except Exception as e:  # noqa: BLE001
        c.fail(what, "raised %s" % status(e))
    what = "WRITE/READ: garbage (wrong version) by WRITE, then READ"
    try:
        p = fresh()
        e1 = p.write(b"\x07" + b"\xff" * 40)
        try:
            conn.readFile(tid, p.fid, 0, 4280)
            e2 = "read answered"
        except SessionError as e:
            e2 = status(e)
        c.check(what, "STATUS_PIPE_DISCONNECTED" in (e1, e2),
                "write: %s, read: %s" % (e1 or "OK", e2))
        p.close()
    except Exception as e:  # noqa: BLE001
        c.fail(what, "raised %s" % status(e))
    what = "a PDU cut short, then CLOSE of the pipe"
    try:
        p = fresh()
        e1 = p.write(req_pdu(21, STUB_SRVINFO)[:30])
        p.close()
        c.check(what, e1 is None, "write: %s, close OK" % (e1 or "OK"))
    except Exception as e:  # noqa: BLE001
        c.fail(what, "raised %s" % status(e))

    # Afterwards the same connection still does real RPC.
    what = "impacket NetrServerGetInfo on a new pipe afterwards"
    try:
        dce = bind_pipe(conn, a, "srvsvc", srvs.MSRPC_UUID_SRVS)
        r = srvs.hNetrServerGetInfo(dce, 101)["InfoStruct"]["ServerInfo101"]
        c.ok(what, "name %s" % r["sv101_name"][:-1])
    except Exception as e:  # noqa: BLE001
        c.fail(what, "raised %s" % status(e))
    return 1 if c.bad else 0


def main():
    global SRC
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("command")
    ap.add_argument("--addr", default=None)
    ap.add_argument("--anon", action="store_true")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="Passw0rd!")
    ap.add_argument("--dialect", default="2.1",
                    help="2.1 (signed, sees USER_SESSION_DELETED) or any")
    ap.add_argument("--share", action="append", default=[])
    ap.add_argument("--open", default="held.txt")
    ap.add_argument("--data", type=int, default=64)
    ap.add_argument("--printer", default=None)
    ap.add_argument("--busy", type=int, default=0)
    ap.add_argument("--max-time", type=float, default=90)
    ap.add_argument("--file")
    ap.add_argument("--doc", default="rpc_client document")
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--name", default="WGTEST")
    ap.add_argument("--workgroup", default="WORKGROUP")
    ap.add_argument("--lp-comment", default="")
    ap.add_argument("--demo-path", default="")
    ap.add_argument("--go-file", default=None,
                    help="print STARTED, then wait (up to --max-time) for "
                    "this path to exist before the command: the caller "
                    "times the command without Python's start in it")
    a = ap.parse_args()
    if a.go_file and not wgcheck.wait_go(a.go_file, a.max_time):
        return 1
    SRC = a.addr
    if a.printer is None:
        a.printer = "\\\\%s\\lp" % a.name
    if not a.share:
        a.share = ["demo"]
    fn = {"login": cmd_login, "hold": cmd_hold, "spool": cmd_spool,
          "putfile": cmd_putfile, "handles": cmd_handles,
          "services": cmd_services, "print": cmd_print,
          "malformed": cmd_malformed}.get(a.command)
    if fn is None:
        ap.error("unknown command %s" % a.command)
    return fn(a)


if __name__ == "__main__":
    sys.exit(main())
