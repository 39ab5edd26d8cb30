#!/usr/bin/python3
"""wgnet_clients.py - helpers for test_wgnet.sh (not a test of its own).

Client modes (impacket 0.10; run them under the bindaddr shim to come
from another computer). Each writes "READY ..." to READY_FILE once it is
in place, then waits until STOP_FILE exists (or 120 s):

  hold PORT USER PASS NAME READY_FILE STOP_FILE
      log on, connect [demo], keep file NAME open (written once)
  anon PORT READY_FILE STOP_FILE
      null session, connect IPC$, keep \\PIPE\\srvsvc open
  writer PORT NAME ACK_FILE READY_FILE GO_FILE
      log on, write the first 64 KiB chunk of NAME (a known pattern), say
      READY, wait for GO_FILE, then write chunk after chunk; after each
      acknowledged WRITE, ACK_FILE holds the bytes acknowledged so far.
      Stops at the first error (the session was deleted) or 256 MiB and
      writes "STOPPED <acked> <reason>" to ACK_FILE + ".done".

Checks (read `wgnet ... --json` output from a file, exit 1 listing every
mismatch):

  check-sessions FILE SPEC...   one slot and SMB session per computer:
                                SPEC = ip:user:client_type:opens[:name]
                                (user "-" = null session; the computer is
                                the ip; name, if given, among its names,
                                "*" any workstation name: smbclient sends
                                its host name)
  check-session-detail FILE IP USER SHARE PATH
  check-files FILE IP:USER:PATH...
  check-shares FILE NAME:PATH:TYPE:USERS...   (USERS "*" = any)
  check-connections FILE LOCAL IP...
  check-statistics FILE MIN_ADMITTED MIN_ADMIN_REAPED
  check-config FILE NETBIOS CAP SLOTS SOCKET
  check-slots FILE SPEC...      one row per slot, exactly these:
                                SPEC = ip:user:smb_sessions (user "-" =
                                null session); slots_used = the rows
  check-computer FILE ADDRS SLOTS SMB DIRECT NETBIOS NAMES [PATH...]
                                `session \\NAME` detail: ADDRS (comma-
                                separated) its addresses, SLOTS slots
                                holding SMB sessions in all, DIRECT +
                                NETBIOS connections, NAMES (comma-
                                separated) its calling names, PATHs among
                                its open files and pipes
  check-gone FILE IP            no session from IP any more
  check-same BEFORE AFTER IP... the sessions of IP... kept their ids
  check-pattern PATH ACKED      the file holds the first ACKED pattern bytes
  check-width FILE              every line fits 80 columns

Control socket probes (print what happened, exit 1 if not as expected):

  probe-silent SOCKET N SECS    hold N connections that send nothing for
                                SECS seconds; each must be closed by the
                                daemon within 8..14 s (if SECS > 14);
                                prints "connected N silent clients" once
                                all N are connected
  probe-bad SOCKET KIND         KIND: oversize, garbage, version2, extra;
                                expects {"ok":false} with the right errno
"""

import json
import os
import random
import socket
import sys
import time

HOST = os.environ.get("WG_HOST", "127.0.0.1")
CHUNK = 65536
BLOCK = random.Random(5).randbytes(1 << 20)
LIMIT = 256 << 20


def pattern(off, n):
    """Bytes [off, off+n) of the endless repetition of BLOCK."""
    out = bytearray()
    while n > 0:
        i = off % len(BLOCK)
        take = min(n, len(BLOCK) - i)
        out += BLOCK[i:i + take]
        off += take
        n -= take
    return bytes(out)


def connect(port):
    from impacket.smbconnection import SMBConnection
    return SMBConnection(HOST, HOST, sess_port=int(port), timeout=20)


def wait_stop(stop_file):
    end = time.time() + 120
    while time.time() < end and not os.path.exists(stop_file):
        time.sleep(0.1)


def say(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, path)


def mode_hold(port, user, password, name, ready, stop):
    from impacket.smb3structs import (FILE_READ_DATA, FILE_WRITE_DATA,
                                      FILE_OVERWRITE_IF)
    conn = connect(port)
    conn.login(user, password)
    tid = conn.connectTree("demo")
    fid = conn.createFile(tid, name,
                          desiredAccess=FILE_READ_DATA | FILE_WRITE_DATA,
                          creationDisposition=FILE_OVERWRITE_IF)
    conn.writeFile(tid, fid, ("held by %s\n" % user).encode(), 0)
    say(ready, "READY")
    wait_stop(stop)
    try:
        conn.closeFile(tid, fid)
        conn.logoff()
    except Exception:   # the file or session may have been closed for us
        pass


def mode_anon(port, ready, stop):
    conn = connect(port)
    conn.login("", "")
    tid = conn.connectTree("IPC$")
    conn.openFile(tid, "srvsvc")
    say(ready, "READY")
    wait_stop(stop)


def mode_writer(port, name, ack, ready, go):
    from impacket.smb3structs import (FILE_READ_DATA, FILE_WRITE_DATA,
                                      FILE_OVERWRITE_IF)
    conn = connect(port)
    conn.login("alice", "Passw0rd!")
    tid = conn.connectTree("demo")
    fid = conn.createFile(tid, name,
                          desiredAccess=FILE_READ_DATA | FILE_WRITE_DATA,
                          creationDisposition=FILE_OVERWRITE_IF)
    acked = 0
    say(ack, "0")
    reason = "limit reached"
    while acked < LIMIT:
        if acked == CHUNK:
            say(ready, "READY")
            wait_stop(go)
        try:
            n = conn.writeFile(tid, fid, pattern(acked, CHUNK), acked)
        except Exception as e:  # the session was ended under us
            reason = "%s: %s" % (type(e).__name__, e)
            break
        if n != CHUNK:
            reason = "short write of %r bytes" % n
            break
        acked += n
        say(ack, str(acked))
        time.sleep(0.005)
    say(ack + ".done", "STOPPED %d %s" % (acked, reason.replace("\n", " ")))


# ---- checks ----------------------------------------------------------------

problems = []


def want(cond, what):
    if not cond:
        problems.append(what)


def load(path):
    with open(path) as f:
        doc = json.load(f)
    want(doc.get("version") == 1, "version is %r" % doc.get("version"))
    want(doc.get("ok") is True, "ok is %r (%s)" % (doc.get("ok"),
                                                  doc.get("error")))
    return doc


def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


SESSION_FIELDS = {"id": int, "computer": str, "ip": str, "user": str,
                  "domain": str, "anonymous": bool, "guest": bool,
                  "signing": bool, "encryption": bool, "client_type": str,
                  "opens": int, "trees": int, "printer_handles": int,
                  "connection_id": int, "logon_secs": int, "idle_secs": int,
                  "slot": int}


def check_session_fields(s):
    for k, t in SESSION_FIELDS.items():
        want(isinstance(s.get(k), t), "session %s: %s is %r" %
             (s.get("ip"), k, s.get(k)))
    want(s.get("idle_secs", 999) < 120, "session %s: idle %r s" %
         (s.get("ip"), s.get("idle_secs")))
    want(s.get("logon_secs", 999) < 600, "session %s: logon %r s ago" %
         (s.get("ip"), s.get("logon_secs")))


def check_sessions(path, *specs):
    """One slot per computer here: its row and its one SMB session."""
    doc = load(path)
    want(doc.get("verb") == "sessions", "verb %r" % doc.get("verb"))
    slots = doc.get("sessions", [])
    by_ip = {}
    for sl in slots:
        check_slot_fields(sl)
        by_ip.setdefault(sl.get("ip"), []).append(sl)
    ips = set()
    for spec in specs:
        ip, user, ctype, opens, *name = spec.split(":")
        ips.add(ip)
        got = by_ip.get(ip, [])
        want(len(got) == 1, "%s: %d slots, want 1" % (ip, len(got)))
        if not got:
            continue
        sl = got[0]
        ss = sl.get("smb_sessions", [])
        want(len(ss) == 1, "%s: %d SMB sessions, want 1" % (ip, len(ss)))
        for s in [sl] + ss:
            if user == "-":
                want(s["anonymous"] and s["user"] == "",
                     "%s: not a null session: %r" % (ip, s))
            else:
                want(s["user"] == user and not s["anonymous"],
                     "%s: user %r, want %r" % (ip, s["user"], user))
            want(s["client_type"] == ctype, "%s: client type %r, want %r"
                 % (ip, s["client_type"], ctype))
            want(s["opens"] == int(opens), "%s: opens %r, want %s" %
                 (ip, s["opens"], opens))
            # the computer is the address; its names are listed apart
            want(s["computer"] == ip, "%s: computer %r" %
                 (ip, s["computer"]))
        if user == "-" and ss:
            want(not ss[0]["signing"], "%s: null session signed" % ip)
        name = name[0] if name else ""
        if name == "*":
            want(len(sl["workstations"]) >= 1, "%s: no workstation name: "
                 "%r" % (ip, sl["workstations"]))
        elif name:
            want(name in sl["workstations"] + sl["calling_names"],
                 "%s: names %r, want %r" % (ip, sl["workstations"] +
                                             sl["calling_names"], name))
    want(set(by_ip) == ips, "computers %s, want %s" %
         (sorted(by_ip), sorted(ips)))
    want(len(slots) == len(specs), "%d rows, want %d" % (len(slots),
                                                         len(specs)))
    want(doc.get("slots_used") == len(specs), "slots_used %r, want %d" %
         (doc.get("slots_used"), len(specs)))
    want(doc.get("cap") == 10, "cap %r" % doc.get("cap"))
    want(doc.get("edition") == "workstation", "edition %r" %
         doc.get("edition"))
    want(doc.get("accounting") == "windows", "accounting %r" %
         doc.get("accounting"))
    ids = [s.get("id") for sl in slots for s in sl.get("smb_sessions", [])]
    want(len(set(ids)) == len(ids), "duplicate session ids %r" % ids)


def check_session_detail(path, ip, user, share, fname):
    doc = load(path)
    want(doc.get("computer") == ip, "computer %r" % doc.get("computer"))
    want(doc.get("addresses") == [ip], "addresses %r" %
         doc.get("addresses"))
    slots = doc.get("sessions", [])
    want(len(slots) == 1, "%d slots" % len(slots))
    if not slots:
        return
    check_slot_fields(slots[0])
    sessions = slots[0].get("smb_sessions", [])
    want(len(sessions) == 1, "%d SMB sessions" % len(sessions))
    if not sessions:
        return
    s = sessions[0]
    want(s["user"] == user, "user %r" % s["user"])
    shares = {t.get("name"): t for t in s.get("shares", [])}
    want(share in shares, "shares %s lack %s" % (sorted(shares), share))
    if share in shares:
        want(shares[share].get("type") == "disk", "share type %r" %
             shares[share].get("type"))
        want(shares[share].get("opens") == 1, "opens on %s: %r" %
             (share, shares[share].get("opens")))
        want(is_count(shares[share].get("connected_secs")),
             "connected_secs %r" % shares[share].get("connected_secs"))
    files = doc.get("files", [])
    want(len(files) == 1, "%d files, want 1: %r" % (len(files), files))
    for f in files:
        want(f.get("path") == "\\" + fname, "path %r" % f.get("path"))
        want(f.get("session_id") == s["id"], "file of session %r" %
             f.get("session_id"))
        want(f.get("share") == share, "file share %r" % f.get("share"))
        want(f.get("mode") == "read+write", "mode %r" % f.get("mode"))
        want(f.get("is_pipe") is False and f.get("is_dir") is False,
             "pipe/dir flags %r" % f)
        want(f.get("locks") == 0, "locks %r" % f.get("locks"))
        want(f.get("local_path", "").endswith("/" + fname),
             "local path %r" % f.get("local_path"))
    conns = doc.get("connections", [])
    want(len(conns) == 1, "%d connections" % len(conns))
    for c in conns:
        want(c.get("id") == s["connection_id"], "connection id %r, want %r"
             % (c.get("id"), s["connection_id"]))
        want(c.get("remote", "").startswith(ip + ":"), "remote %r" %
             c.get("remote"))
        want(c.get("ip") == ip, "ip %r" % c.get("ip"))
        want(c.get("netbios") is False and c.get("calling_name") == "",
             "direct TCP: netbios %r calling name %r" %
             (c.get("netbios"), c.get("calling_name")))
        want(c.get("state") == "authenticated", "state %r" %
             c.get("state"))
        want(c.get("dialect") == s["client_type"], "dialect %r" %
             c.get("dialect"))
        want(c.get("cipher") in ("none", "AES-128-CCM", "AES-128-GCM"),
             "cipher %r" % c.get("cipher"))
        want(c.get("bytes_in", 0) > 0 and c.get("bytes_out", 0) > 0,
             "bytes %r/%r" % (c.get("bytes_in"), c.get("bytes_out")))


def check_files(path, *specs):
    doc = load(path)
    files = doc.get("files", [])
    ids = [f.get("id") for f in files]
    want(all(is_count(i) and i > 0 for i in ids), "ids %r" % ids)
    want(len(set(ids)) == len(ids), "duplicate ids %r" % ids)
    for spec in specs:
        ip, user, fpath = spec.split(":", 2)
        hit = [f for f in files if f.get("computer") == ip and
               f.get("path") == fpath]
        want(len(hit) == 1, "%s %s: %d entries" % (ip, fpath, len(hit)))
        for f in hit:
            want(f.get("user") == user, "%s: user %r" % (fpath,
                                                        f.get("user")))
            want(f.get("is_pipe") == fpath.startswith("\\PIPE\\"),
                 "%s: is_pipe %r" % (fpath, f.get("is_pipe")))
            want(is_count(f.get("locks")) and is_count(f.get("idle_secs")),
                 "%s: locks/idle %r" % (fpath, f))
            want(f.get("mode") in ("read", "write", "read+write"),
                 "%s: mode %r" % (fpath, f.get("mode")))
    want(len(files) == len(specs), "%d open files, want %d: %r" %
         (len(files), len(specs), [(f.get("computer"), f.get("path"))
                                   for f in files]))


def check_shares(path, *specs):
    doc = load(path)
    shares = {s.get("name"): s for s in doc.get("shares", [])}
    names = set()
    for spec in specs:
        name, spath, stype, users = spec.split(":")
        names.add(name)
        s = shares.get(name)
        want(s is not None, "no share %s" % name)
        if s is None:
            continue
        want(s.get("path") == spath, "%s: path %r" % (name, s.get("path")))
        want(s.get("type") == stype, "%s: type %r" % (name, s.get("type")))
        want(isinstance(s.get("remark"), str), "%s: remark" % name)
        want(isinstance(s.get("read_only"), bool), "%s: read_only" % name)
        if users != "*":
            want(s.get("current_users") == int(users),
                 "%s: %r users, want %s" % (name, s.get("current_users"),
                                             users))
    want(set(shares) == names, "shares %s" % sorted(shares))


def check_connections(path, local, *ips):
    doc = load(path)
    conns = doc.get("connections", [])
    seen = {}
    for c in conns:
        ip = c.get("remote", "").rsplit(":", 1)[0]
        seen.setdefault(ip, []).append(c)
        want(c.get("local") == local, "local %r, want %r" %
             (c.get("local"), local))
        for k in ("id", "bytes_in", "bytes_out", "idle_secs", "age_secs",
                  "sessions", "trees", "opens"):
            want(is_count(c.get(k)), "%s: %s is %r" % (ip, k, c.get(k)))
    for ip in ips:
        got = seen.get(ip, [])
        want(len(got) >= 1, "no connection from %s" % ip)
        for c in got:
            want(c.get("state") == "authenticated", "%s: state %r" %
                 (ip, c.get("state")))
            want(isinstance(c.get("computer"), str) and c["computer"],
                 "%s: computer %r" % (ip, c.get("computer")))
            want(c.get("bytes_in", 0) > 0 and c.get("bytes_out", 0) > 0,
                 "%s: no bytes counted" % ip)
            want(c.get("sessions", 0) >= 1, "%s: sessions %r" %
                 (ip, c.get("sessions")))
    want(set(seen) == set(ips), "connections from %s, want %s" %
         (sorted(seen), sorted(ips)))


def check_statistics(path, min_admitted, min_admin):
    doc = load(path)
    st = doc.get("statistics", {})
    want(st.get("sessions_admitted", 0) >= int(min_admitted),
         "admitted %r" % st.get("sessions_admitted"))
    want(st.get("sessions_refused_cap") == 0, "refused_cap %r" %
         st.get("sessions_refused_cap"))
    want(st.get("sessions_refused_anonymous") == 0, "refused_anon %r" %
         st.get("sessions_refused_anonymous"))
    reaped = st.get("reaped", {})
    causes = {"autodisconnect", "null_idle", "spoolss_idle", "auth_timeout",
              "half_close", "dead_peer", "admin", "reclaim"}
    want(set(reaped) == causes, "reap causes %s" % sorted(reaped))
    want(reaped.get("admin", 0) >= int(min_admin), "admin reaps %r" %
         reaped.get("admin"))
    want(st.get("sessions_reaped") == sum(reaped.values()),
         "sessions_reaped %r != sum %r" % (st.get("sessions_reaped"),
                                            sum(reaped.values())))
    want(st.get("bytes_in", 0) > 0 and st.get("bytes_out", 0) > 0,
         "bytes %r/%r" % (st.get("bytes_in"), st.get("bytes_out")))
    want(st.get("connections_accepted", 0) >= int(min_admitted),
         "connections_accepted %r" % st.get("connections_accepted"))
    errors = st.get("errors", {})
    want(is_count(errors.get("connections_refused")) and
         is_count(errors.get("connections_dropped")), "errors %r" % errors)
    want(st.get("start_time", 0) > 1600000000, "start_time %r" %
         st.get("start_time"))
    want(is_count(st.get("uptime_secs")), "uptime %r" %
         st.get("uptime_secs"))


def check_config(path, netbios, cap, slots, sock):
    doc = load(path)
    s = doc.get("server", {})
    want(s.get("netbios_name") == netbios, "netbios %r" %
         s.get("netbios_name"))
    want(s.get("cap") == int(cap), "cap %r" % s.get("cap"))
    want(s.get("slots_used") == int(slots), "slots %r" % s.get("slots_used"))
    want(s.get("control_socket") == sock, "socket %r" %
         s.get("control_socket"))
    t = s.get("timeouts_ms", {})
    want(set(t) == {"autodisconnect", "null_session", "spoolss_handle",
                    "auth", "linger"}, "timeouts %r" % t)
    want(t.get("autodisconnect") == 15 * 60 * 1000, "autodisconnect %r" %
         t.get("autodisconnect"))


SLOT_FIELDS = {"slot": int, "computer": str, "ip": str, "user": str,
               "anonymous": bool, "guest": bool, "encryption": bool,
               "client_type": str, "opens": int, "trees": int,
               "printer_handles": int, "logon_secs": int, "idle_secs": int,
               "calling_names": list, "workstations": list,
               "smb_sessions": list}


def check_slot_fields(sl):
    for k, t in SLOT_FIELDS.items():
        want(isinstance(sl.get(k), t), "slot %s: %s is %r" %
             (sl.get("ip"), k, sl.get(k)))
    want(sl.get("computer") == sl.get("ip"), "slot %s: computer %r is not "
         "the address" % (sl.get("ip"), sl.get("computer")))
    ss = sl.get("smb_sessions", [])
    want(len(ss) >= 1, "slot %s/%s: no SMB session" % (sl.get("ip"),
                                                      sl.get("user")))
    for s in ss:
        check_session_fields(s)
        want(s.get("slot") == sl.get("slot"), "session %r in slot %r" %
             (s.get("id"), sl.get("slot")))
        want(s.get("ip") == sl.get("ip"), "session %r from %r" %
             (s.get("id"), s.get("ip")))
    want(sl.get("opens") == sum(s.get("opens", 0) for s in ss),
         "slot %s: opens %r is not its sessions' sum" % (sl.get("ip"),
                                                         sl.get("opens")))
    want(sl.get("idle_secs") == min([s.get("idle_secs", 0) for s in ss] or
                                    [0]), "slot %s: idle %r" %
         (sl.get("ip"), sl.get("idle_secs")))


def slot_key(sl):
    user = "-" if sl.get("anonymous") else sl.get("user", "").lower()
    return "%s:%s:%d" % (sl.get("ip"), user, len(sl.get("smb_sessions", [])))


def check_slots(path, *specs):
    doc = load(path)
    slots = doc.get("sessions", [])
    for sl in slots:
        check_slot_fields(sl)
    got = sorted(slot_key(sl) for sl in slots)
    want(got == sorted(s.lower() for s in specs), "slots %s, want %s" %
         (got, sorted(specs)))
    want(doc.get("slots_used") == len(slots), "slots_used %r for %d rows" %
         (doc.get("slots_used"), len(slots)))
    ids = [s.get("id") for sl in slots for s in sl.get("smb_sessions", [])]
    want(len(set(ids)) == len(ids), "duplicate session ids %r" % ids)
    want(len({sl.get("slot") for sl in slots}) == len(slots),
         "duplicate slot ids")


def check_computer(path, addrs, nslots, nsmb, ndirect, nnbt, names, *paths):
    doc = load(path)
    addrs = addrs.split(",")
    want(sorted(doc.get("addresses", [])) == sorted(addrs), "addresses %r"
         % doc.get("addresses"))
    slots = doc.get("sessions", [])
    want(len(slots) == int(nslots), "%d slots, want %s" % (len(slots),
                                                          nslots))
    smb = []
    for sl in slots:
        check_slot_fields(sl)
        want(sl.get("ip") in addrs, "slot from %r" % sl.get("ip"))
        want(sorted(sl.get("calling_names", [])) ==
             sorted(n for n in names.split(",") if n),
             "%s: calling names %r, want %s" % (sl.get("ip"),
                                                sl.get("calling_names"),
                                                names))
        for s in sl.get("smb_sessions", []):
            want(isinstance(s.get("shares"), list), "session %r: shares %r"
                 % (s.get("id"), s.get("shares")))
            smb.append(s)
    want(len(smb) == int(nsmb), "%d SMB sessions, want %s" % (len(smb),
                                                             nsmb))
    conns = doc.get("connections", [])
    direct = [c for c in conns if not c.get("netbios")]
    nbt = [c for c in conns if c.get("netbios")]
    want(len(direct) == int(ndirect) and len(nbt) == int(nnbt),
         "%d direct + %d NetBIOS connections, want %s + %s: %r" %
         (len(direct), len(nbt), ndirect, nnbt,
          [(c.get("remote"), c.get("calling_name")) for c in conns]))
    for c in nbt:
        want(c.get("port") == 139 and c.get("calling_name") in
             names.split(","), "NetBIOS connection %r: port %r, calling "
             "name %r" % (c.get("id"), c.get("port"), c.get("calling_name")))
    for c in direct:
        want(c.get("calling_name") == "" and c.get("port") != 139,
             "direct connection %r: %r" % (c.get("id"), c))
    conn_ids = {c.get("id") for c in conns}
    for s in smb:
        want(s.get("connection_id") in conn_ids, "session %r: connection "
             "%r not listed" % (s.get("id"), s.get("connection_id")))
        cn = [c for c in conns if c.get("id") == s.get("connection_id")]
        if cn:
            want(s.get("calling_name") == cn[0].get("calling_name"),
                 "session %r: calling name %r, its connection's %r" %
                 (s.get("id"), s.get("calling_name"),
                  cn[0].get("calling_name")))
    sids = {s.get("id") for s in smb}
    files = doc.get("files", [])
    for f in files:
        want(f.get("session_id") in sids, "file %r of session %r" %
             (f.get("path"), f.get("session_id")))
    for fp in paths:
        want(any(f.get("path") == fp for f in files), "no open %s in %r" %
             (fp, [f.get("path") for f in files]))


def check_gone(path, ip):
    doc = load(path)
    left = [s for s in doc.get("sessions", []) if s.get("ip") == ip]
    want(not left, "%s still has sessions: %r" % (ip, left))


def check_same(before, after, *ips):
    def ids(path):
        doc = load(path)
        return {sl.get("ip"): [s.get("id") for s in sl.get("smb_sessions")]
                for sl in doc.get("sessions", [])}
    b, a = ids(before), ids(after)
    for ip in ips:
        want(ip in b and b.get(ip) == a.get(ip), "%s: session %r became %r"
             % (ip, b.get(ip), a.get(ip)))


def read_all(s, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def probe_silent(path, n, secs):
    n, secs = int(n), float(secs)
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.settimeout(secs)
        socks.append(s)
    t0 = time.time()
    # the caller waits for this line before it tries client N+1
    print("connected %d silent clients" % n, flush=True)
    for s in socks:
        try:
            data = read_all(s)
        except socket.timeout:
            data = None
        took = time.time() - t0
        if secs > 14:
            want(data == b"" and 8 <= took <= 14,
                 "silent client: %r after %.1f s" % (data, took))
        s.close()
    print("held %d silent clients for %.1f s" % (n, time.time() - t0))


def probe_bad(path, kind):
    req = {"oversize": b"WGCTL 1 sessions " + b"x" * 5000,
           "garbage": b"hello\n",
           "version2": b"WGCTL 2 sessions\n",
           "extra": b"WGCTL 1 sessions\nWGCTL 1 files\n"}[kind]
    errno = {"oversize": "E2BIG", "garbage": "EPROTO",
             "version2": "EPROTONOSUPPORT", "extra": "EPROTO"}[kind]
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(15)
    s.connect(path)
    try:
        s.sendall(req)
    except OSError:
        pass
    data = read_all(s)
    doc = json.loads(data)
    print(data.decode().strip())
    want(doc.get("ok") is False and doc.get("errno") == errno and
         doc.get("version") == 1 and doc.get("error"),
         "answer %r, want errno %s" % (doc, errno))


def check_pattern(path, acked):
    acked = int(acked)
    with open(path, "rb") as f:
        data = f.read()
    want(len(data) >= acked, "file has %d bytes, %d were acknowledged" %
         (len(data), acked))
    good = pattern(0, min(acked, len(data)))
    if data[:len(good)] != good:
        bad = next(i for i in range(len(good)) if data[i] != good[i])
        want(False, "acknowledged byte %d differs" % bad)
    want(acked > 0, "nothing was acknowledged")


def check_width(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            want(len(line) <= 80, "line %d is %d columns: %r" %
                 (n, len(line), line))


CHECKS = {"check-sessions": check_sessions,
          "check-session-detail": check_session_detail,
          "check-files": check_files, "check-shares": check_shares,
          "check-connections": check_connections,
          "check-statistics": check_statistics,
          "check-config": check_config, "check-gone": check_gone,
          "check-pattern": check_pattern, "check-width": check_width,
          "check-same": check_same, "check-slots": check_slots,
          "check-computer": check_computer, "probe-silent": probe_silent,
          "probe-bad": probe_bad}


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "hold":
        mode_hold(*args)
    elif mode == "anon":
        mode_anon(*args)
    elif mode == "writer":
        mode_writer(*args)
    elif mode in CHECKS:
        try:
            CHECKS[mode](*args)
        except Exception as e:  # a missing field, bad JSON, ...
            problems.append("%s: %s" % (type(e).__name__, e))
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
