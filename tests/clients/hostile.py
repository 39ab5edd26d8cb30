#!/usr/bin/python3
"""hostile.py - the attacks of issue 9, one per run, for test_hostile.sh.

    /usr/bin/python3 hostile.py ATTACK PORT SHARE_DIR
    /usr/bin/python3 hostile.py victim-ops|victim-rtt PORT ADDR SECONDS
    /usr/bin/python3 hostile.py tree NSMALL SHARE_DIR...

The daemon's pid, config and admin tool come from the environment
(WG_PID, WG_CONF, WGNET; test_hostile.sh sets them), as do the budget
(HOSTILE_RSS_MIB, default 64) and a scale for the flood counts
(HOSTILE_SCALE, default 1; test_hostile.sh uses 0.1 under ASan).

Each ATTACK prints PASS:/FAIL: lines: the refusal status or behaviour the
issue asks for, the daemon's VmRSS growth within the budget, another
client computer served afterwards (impacket, its own source address), and
the statistics.limits_hit counter of `wgnet statistics server --json`.
A failure says what was observed. Every flood is bounded in count and in
time, and stops early once the daemon has grown 512 MiB over its budget
(the failure is proven by then; no need to push a shared machine into
swap or the OOM killer).

Attacks: pattern, backlog, sessions, listings, trees, locks, nonego,
notify, compound. Client computers (source addresses): the attacker is
127.0.0.50, victims 127.0.0.60.., the "served afterwards" check
127.0.0.70.

tree makes, in each SHARE_DIR, what the attacks open: big20k/ (20,000
empty files), big5k/ (5,000), small/ (NSMALL), notifydir/ (empty) and
big.bin (2 MiB of random bytes); test_hostile.sh and bench/fairness.sh
run it once before their daemons start.
"""

import collections
import json
import os
import socket
import struct
import subprocess
import sys
import time

import smb2raw as s2
from smb2raw import Conn, Closed
import wgcheck
from wgcheck import ok, fail, expect as check

HOST = s2.HOST
USER, PASSWORD = "alice", "Passw0rd!"
ATTACKER = "127.0.0.50"
AFTER = "127.0.0.70"
PID = int(os.environ.get("WG_PID", "0"))
CONF = os.environ.get("WG_CONF", "")
WGNET = os.environ.get("WGNET", "")
BUDGET_MIB = float(os.environ.get("HOSTILE_RSS_MIB", "64"))
SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))
GUARD_MIB = BUDGET_MIB + 512
BACKLOG = int(os.environ.get("HOSTILE_BACKLOG", 8 << 20))  # max reply backlog
HERE = os.path.dirname(os.path.abspath(__file__))

def note(msg):
    print("# " + msg, flush=True)


def scaled(n, least):
    return max(least, int(n * SCALE))


# ---- the daemon, from /proc and wgnet ----

def rss_kib(pid=None):
    try:
        with open("/proc/%d/status" % (pid or PID)) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid=None):
    with open("/proc/%d/stat" % (pid or PID)) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])   # utime + stime


def fd_count(pid=None):
    return len(os.listdir("/proc/%d/fd" % (pid or PID)))


def alive():
    try:
        os.kill(PID, 0)
        return True
    except OSError:
        return False


def limits():
    """statistics.limits_hit from wgnet, or {} if it cannot be read."""
    try:
        out = subprocess.run([WGNET, "-c", CONF, "statistics", "server",
                              "--json"], capture_output=True, timeout=20,
                             check=False).stdout
        return json.loads(out)["statistics"].get("limits_hit", {})
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
        note("wgnet statistics failed: %s" % e)
        return {}


def over_guard(base):
    return rss_kib() - base > GUARD_MIB * 1024


class Attack:
    """Baseline before an attack; the common checks after it."""

    def __init__(self, name):
        self.name = name
        self.rss0 = rss_kib()
        self.lim0 = limits()
        self.peak = self.rss0
        note("%s: daemon VmRSS before %d KiB, limits_hit %s" % (
            name, self.rss0, json.dumps({k: v for k, v in self.lim0.items()
                                         if v})))

    def sample(self):
        self.peak = max(self.peak, rss_kib())
        return self.peak

    def rss_check(self, what=""):
        self.sample()
        grow = (self.peak - self.rss0) / 1024.0
        check("%s: daemon VmRSS grew %.1f MiB (peak %d KiB) %s<= %g MiB"
              % (self.name, grow, self.peak, what, BUDGET_MIB),
              grow <= BUDGET_MIB,
              "VmRSS %d KiB before, peak %d KiB during the attack: +%.1f "
              "MiB, over the %g MiB budget" % (self.rss0, self.peak, grow,
                                               BUDGET_MIB))

    def limit_check(self, key):
        now = limits()
        a, b = self.lim0.get(key), now.get(key)
        check("%s: statistics.limits_hit.%s increased (%s -> %s)"
              % (self.name, key, a, b),
              a is not None and b is not None and b > a,
              "limits_hit.%s was %s before and is %s after the attack%s"
              % (key, a, b, "" if b is not None else
                 " (no such counter in wgnet statistics server --json)"))

    def served_check(self, addr=AFTER, limit=5.0):
        served(self.name, addr, limit)


def served(name, addr=AFTER, limit=5.0):
    """impacket from addr logs on as alice and lists [demo]."""
    from impacket.smbconnection import SMBConnection
    real = socket.socket.connect

    def bound(self, a):
        if self.family == socket.AF_INET and \
                self.getsockname() == ("0.0.0.0", 0):
            self.bind((addr, 0))
        return real(self, a)
    t0 = time.monotonic()
    socket.socket.connect = bound
    try:
        c = SMBConnection(HOST, HOST, sess_port=PORT, timeout=limit + 10)
        c.login(USER, PASSWORD)
        names = [e.get_longname() for e in c.listPath("demo", "*")]
        c.logoff()
        c.close()
        dt = time.monotonic() - t0
        check("%s: afterwards another computer (%s, impacket) logs on and "
              "lists [demo] (%.2f s, limit %g s)" % (name, addr, dt, limit),
              dt <= limit and "." in names,
              "took %.2f s; listing %s" % (dt, names[:5]))
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        fail("%s: afterwards another computer (%s) logs on and lists [demo]"
             % (name, addr), "%s: %s after %.2f s (daemon %s)" % (
                 type(e).__name__, str(e)[:200], time.monotonic() - t0,
                 "alive" if alive() else "DEAD"))
    finally:
        socket.socket.connect = real


def user_conn(addr=ATTACKER, share="demo", **kw):
    c = Conn(PORT, src=addr, **kw)
    c.negotiate()
    c.logon(USER, PASSWORD)
    if share:
        c.tree_connect(share)
    return c


def flood(c, make, total, window, seconds, interim_done=False, base=None,
          ask=1, on_reply=None):
    """Send total requests (make(i) -> (cmd, body, kwargs)), at most
    window unanswered, for at most seconds. Returns (Counter of final
    statuses, sent, end reason). interim_done: a STATUS_PENDING interim
    reply ends a request's wait (counted as PENDING). on_reply(reply) is
    called for each reply counted."""
    counts = collections.Counter()
    outstanding = set()
    sent = 0
    end = time.monotonic() + seconds
    reason = "done"
    checked = 0
    try:
        while sent < total or outstanding:
            if time.monotonic() > end:
                reason = "time limit %g s" % seconds
                break
            if base is not None and sent - checked >= 512:
                checked = sent
                if over_guard(base):
                    reason = "daemon over %g MiB: stopped" % GUARD_MIB
                    break
            if not outstanding and c.available() < 1:
                reason = "no credits left (%d granted)" % c.granted
                break
            batch = []
            while (sent < total and len(outstanding) < window and
                   c.available() >= 1):
                cmd, body, kw = make(sent)
                kw.setdefault("credits", ask)
                mid, msg = c.build(cmd, body, **kw)
                batch.append(struct.pack(">I", len(msg)) + msg)
                outstanding.add(mid)
                sent += 1
                if len(batch) >= 256:
                    break
            if batch:
                c.sock.settimeout(max(0.1, end - time.monotonic()))
                c.sock.sendall(b"".join(batch))
                if len(outstanding) < window and sent < total and \
                        c.available() >= 1:
                    continue
            for r in c.recv(max(0.05, end - time.monotonic())):
                if r.interim and not interim_done:
                    continue
                if r.mid in outstanding:
                    outstanding.discard(r.mid)
                    counts[r.status] += 1
                    if on_reply is not None:
                        on_reply(r)
    except Closed as e:
        reason = "connection closed by the server (%s)" % e
    except socket.timeout:
        reason = "no reply for %g s" % seconds
    except OSError as e:
        reason = "%s: %s" % (type(e).__name__, e)
    return counts, sent, reason


def fmt_counts(counts):
    return ", ".join("%s x%d" % (s2.status_name(k), v)
                     for k, v in sorted(counts.items())) or "no replies"


def spawn(mode, addr, secs):
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), mode,
                             str(PORT), addr, str(secs)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def victim_result(p, limit):
    try:
        out, _ = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        out += "\n(victim killed after %g s)" % limit
    return out


# ---- the share's tree ----

def make_tree(share, nsmall):
    def fill(d, n, fmt):
        p = os.path.join(share, d)
        os.makedirs(p, exist_ok=True)
        for i in range(n):
            open(os.path.join(p, fmt % i), "w").close()
    fill("big20k", 20000, "hostile-entry-%05d-with-a-longish-name.txt")
    fill("big5k", 5000, "entry-%04d-of-five-thousand.txt")
    fill("small", nsmall, "small-%d.txt")
    os.makedirs(os.path.join(share, "notifydir"), exist_ok=True)
    with open(os.path.join(share, "big.bin"), "wb") as f:
        f.write(os.urandom(2 << 20))


# ---- 1. search patterns ----

def attack_pattern():
    a = Attack("pattern")
    c = user_conn()
    small = c.open_dir("small")
    cases = [("a 32,000-unit '<<<...<Z' pattern", "<" * 31999 + "Z",
              s2.STATUS_OBJECT_NAME_INVALID),
             ("a 256-unit pattern", "<" * 255 + "Z",
              s2.STATUS_OBJECT_NAME_INVALID),
             ("a 255-unit pattern", "<" * 254 + "Z", None)]
    for desc, pat, want in cases:
        t0 = time.monotonic()
        try:
            r = c.query_directory(small, pat, flags=s2.QD_RESTART_SCANS,
                                  timeout=20)
            st = r.status
        except (socket.timeout, Closed) as e:
            st = None
            note("%s: %s" % (desc, e))
        dt = time.monotonic() - t0
        if want is not None:
            check("pattern: %s -> %s (%.2f s)" % (desc, s2.status_name(want),
                                                  dt),
                  st == want, "answered %s after %.2f s" % (
                      s2.status_name(st), dt))
        else:
            check("pattern: %s is accepted (%s, %.2f s)" % (
                desc, s2.status_name(st), dt),
                st in (s2.STATUS_SUCCESS, s2.STATUS_NO_MORE_FILES,
                       s2.STATUS_NO_SUCH_FILE),
                "answered %s after %.2f s" % (s2.status_name(st), dt))
    c.close_socket()
    a.limit_check("search_pattern")

    # Fairness: six connections scanning big20k with a slow pattern.
    def scanners(nscans, **kw):
        """Six attacker connections, each with nscans scans queued."""
        slow = "<" * 254 + "Z"
        conns = []
        for _ in range(6):
            ac = user_conn(**kw)
            conns.append((ac, ac.open_dir("big20k")))
        for ac, d in conns:
            for _ in range(nscans):
                ac.send(s2.QUERY_DIRECTORY,
                        ac.query_directory_body(d, slow,
                                                flags=s2.QD_RESTART_SCANS))
        return conns

    attackers = scanners(4)
    note("pattern: 6 connections from %s each sent 4 scans of big20k "
         "(20,000 entries) with a 255-unit '<...<Z' pattern" % ATTACKER)
    time.sleep(0.5)
    v = victim_result(spawn("victim-ops", "127.0.0.60", 1), 60)
    m = [ln for ln in v.splitlines() if ln.startswith("OPS ")]
    ops = float(m[0].split("ops=")[1].split()[0]) if m else None
    check("pattern: during the scans another computer (127.0.0.60) does "
          "logon + create+write+read+close, the file operations in %s s "
          "(limit 5 s)" % (("%.2f" % ops) if ops is not None else "?"),
          ops is not None and ops <= 5.0, "victim said: %s" % v.strip())
    a.sample()
    for ac, _ in attackers:
        ac.close_socket()
    # Closing stops the work: fresh attackers queue 8 scans each, close
    # their connections after 1 s; 2 s later the daemon must be idle.
    attackers = scanners(8, timeout=30)
    time.sleep(1.0)
    for ac, _ in attackers:
        ac.close_socket()
    note("pattern: 6 new connections queued 8 scans each and closed after "
         "1 s")
    time.sleep(2.0)
    t0, c0 = time.monotonic(), cpu_ticks()
    time.sleep(1.0)
    hz = os.sysconf("SC_CLK_TCK")
    use = (cpu_ticks() - c0) / hz / (time.monotonic() - t0)
    check("pattern: 2 s after the attackers close their connections the "
          "daemon is idle (%.0f%% of a CPU over the next second, limit 20%%)"
          % (100 * use), use <= 0.2,
          "the daemon still uses %.0f%% of a CPU: the scans of the closed "
          "connections go on" % (100 * use))
    a.rss_check()
    a.served_check()


# ---- 2. readers that never read ----

def attack_backlog():
    a = Attack("backlog")
    # The share root's fd stays open once a tree connected (smbd/smb2/
    # tree.c): connect once first, so the baseline counts it.
    fds0 = fd_count()
    warm = user_conn()
    warm.close_socket()
    for _ in range(40):
        if fd_count() <= fds0 + 1:
            break
        time.sleep(0.05)
    fds0 = fd_count()
    conns = []
    grants = []
    sent_reads = []
    for i in range(4):
        c = user_conn(rcvbuf=4096)
        fid = c.create("big.bin", access=s2.FILE_READ_DATA, share=1)
        s2.grow_credits(c, 8000)
        grants.append(c.available())
        n = min(430, c.available() // 16)
        extra = 3 if i == 3 else 0
        frames = []
        for k in range(n + extra):
            # the extras: MessageIds past the granted window
            _, msg = c.build(s2.READ, c.read_body(fid, (k % 2) << 20,
                                                  1 << 20),
                             charge=16, credits=1,
                             mid=None if k < n else c.granted + 16 * k)
            frames.append(struct.pack(">I", len(msg)) + msg)
        c.sock.settimeout(3)
        try:
            c.sock.sendall(b"".join(frames))
        except (socket.timeout, OSError) as e:
            note("backlog: connection %d: send stopped (%s)" % (i, e))
        sent_reads.append(n)
        conns.append(c)
        a.sample()
        if over_guard(a.rss0):
            note("backlog: daemon over %g MiB: no more connections"
                 % GUARD_MIB)
            break
    t_last = time.monotonic()
    note("backlog: %d connections from %s, credits available after ECHO "
         "x 8000: %s; READs of 1 MiB sent (never read): %s (+3 beyond the "
         "window on the 4th)" % (len(conns), ATTACKER, grants, sent_reads))
    for _ in range(10):
        time.sleep(0.15)
        a.sample()
    win = max(grants)
    check("backlog: credit window granted x 64 KiB stays within the 8 MiB "
          "reply backlog (at most 128 + 64 credits; got %d)" % win,
          win <= 192, "the server granted %s credits per connection: %d x "
                      "64 KiB = %d MiB of replies it may have to queue"
          % (grants, win, win // 16))
    a.rss_check("with %d non-reading connections " % len(conns))
    a.served_check(limit=5.0)
    # linger timeout = 2 s: the daemon closes them
    gone = None
    while time.monotonic() - t_last < 8:
        a.sample()
        if fd_count() <= fds0:
            gone = time.monotonic() - t_last
            break
        time.sleep(0.1)
    check("backlog: the non-reading connections are dropped (daemon fds "
          "back to %d) %s s after the last request (linger 2 s + 3 s)"
          % (fds0, ("%.1f" % gone) if gone is not None else "never"),
          gone is not None and gone <= 5.0,
          "daemon fds still %d (baseline %d) after 8 s" % (fd_count(), fds0))
    for c in conns:
        c.close_socket()
    a.rss_check()
    a.limit_check("reply_backlog")


# ---- 3. half-built sessions; sessions per connection ----

def attack_sessions():
    a = Attack("sessions")
    c = Conn(PORT, src=ATTACKER)
    c.negotiate()
    _, tok = Conn.ntlm_negotiate_token()
    body = c.session_setup_body(tok)
    s2.grow_credits(c, 256)
    total = scaled(200000, 5000)
    counts, sent, why = flood(
        c, lambda i: (s2.SESSION_SETUP, body, {"sid": 0}), total, 256, 60,
        base=a.rss0)
    c.close_socket()
    note("sessions: %d SESSION_SETUPs with SessionId 0 sent (%s): %s"
         % (sent, why, fmt_counts(counts)))
    mp = counts[s2.STATUS_MORE_PROCESSING_REQUIRED]
    ir = counts[s2.STATUS_INSUFFICIENT_RESOURCES]
    check("sessions: of %d half-built sessions on one connection at most 8 "
          "are taken (MORE_PROCESSING_REQUIRED x%d), the rest refused with "
          "INSUFFICIENT_RESOURCES (x%d)" % (sent, mp, ir),
          1 <= mp <= 8 and ir > 0,
          "answers: %s; end: %s" % (fmt_counts(counts), why))
    a.rss_check()
    a.limit_check("sessions_in_progress")

    # completed sessions per connection (null sessions: restrict
    # anonymous = 0)
    b = Attack("sessions-per-conn")
    c = Conn(PORT, src=ATTACKER)
    c.negotiate()
    done = 0
    first_refusal = None
    for i in range(70):
        try:
            c.logon()
            done += 1
        except s2.Failed as e:
            first_refusal = (i + 1, e.status)
            break
        except (Closed, socket.timeout) as e:
            first_refusal = (i + 1, str(e))
            break
    c.close_socket()
    check("sessions: 64 null sessions complete on one connection, the 65th "
          "is refused with INSUFFICIENT_RESOURCES (%d completed)" % done,
          done == 64 and first_refusal is not None and
          first_refusal[1] == s2.STATUS_INSUFFICIENT_RESOURCES,
          "%d completed; then %s" % (
              done, "none refused of 70" if first_refusal is None else
              "#%d: %s" % (first_refusal[0],
                           s2.status_name(first_refusal[1])
                           if isinstance(first_refusal[1], int)
                           else first_refusal[1])))
    b.limit_check("sessions_per_connection")
    b.served_check()


# ---- 4. directory listings kept open ----

def attack_listings(dirname="big5k", opens=400):
    a = Attack("listings")
    c = user_conn()
    s2.grow_credits(c, 512)
    opens = scaled(opens, 100)
    counts = collections.Counter()
    fids = []
    why = "done"
    try:
        for i in range(opens):
            fids.append(c.open_dir(dirname))
            flags = s2.QD_RESTART_SCANS
            while True:
                r = c.query_directory(fids[-1], "*", flags=flags)
                flags = 0
                counts[r.status] += 1
                if r.status != s2.STATUS_SUCCESS:
                    break
            if i % 20 == 0:
                a.sample()
                if over_guard(a.rss0):
                    why = "daemon over %g MiB: stopped at %d" % (GUARD_MIB, i)
                    break
    except (s2.Failed, Closed, socket.timeout) as e:
        why = "%s after %d opens" % (e, len(fids))
    note("listings: %d opens of %s listed and kept open (%s): %s"
         % (len(fids), dirname, why, fmt_counts(counts)))
    a.sample()
    bad = {k: v for k, v in counts.items() if k not in (
        s2.STATUS_SUCCESS, s2.STATUS_NO_MORE_FILES,
        s2.STATUS_INSUFFICIENT_RESOURCES)}
    check("listings: every QUERY_DIRECTORY answered SUCCESS, NO_MORE_FILES "
          "or INSUFFICIENT_RESOURCES", not bad and why == "done",
          "answers %s; end: %s" % (fmt_counts(counts), why))
    a.rss_check("with %d listings held open " % len(fids))
    if counts[s2.STATUS_INSUFFICIENT_RESOURCES]:
        a.limit_check("directory_memory")
    else:
        note("listings: no INSUFFICIENT_RESOURCES answer: the budget held "
             "by memory alone")
    a.served_check()
    c.close_socket()


# ---- 5. tree connects ----

def attack_trees():
    a = Attack("trees")
    c = user_conn(share=None)
    s2.grow_credits(c, 512)
    body = c.tree_connect_body("demo")
    total = scaled(500000, 20000)
    counts, sent, why = flood(
        c, lambda i: (s2.TREE_CONNECT, body, {"tid": 0}), total, 512, 90,
        base=a.rss0)
    note("trees: %d TREE_CONNECTs sent (%s): %s" % (sent, why,
                                                    fmt_counts(counts)))
    okc = counts[s2.STATUS_SUCCESS]
    check("trees: one session gets 1024 trees (got %d), the rest "
          "INSUFFICIENT_RESOURCES (x%d)" % (okc, counts[
              s2.STATUS_INSUFFICIENT_RESOURCES]),
          okc == 1024 and counts[s2.STATUS_INSUFFICIENT_RESOURCES] ==
          sent - 1024, "answers: %s; end: %s" % (fmt_counts(counts), why))
    a.rss_check()
    c.close_socket()
    a.limit_check("tree_connects")
    a.served_check()


# ---- 6. byte-range locks ----

def attack_locks():
    a = Attack("locks")
    c = user_conn()
    fid = c.create("locks.bin", disposition=s2.FILE_OVERWRITE_IF)
    s2.grow_credits(c, 512)
    v = spawn("victim-rtt", "127.0.0.61", 60)
    time.sleep(1.5)   # the victim logs on before the flood
    total = scaled(200000, 10000)
    counts, sent, why = flood(
        c, lambda i: (s2.LOCK, c.lock_body(fid, 16 * i, 8), {}), total, 512,
        45, base=a.rss0)
    a.sample()
    v.terminate()
    vo = victim_result(v, 20)
    note("locks: %d LOCKs sent (%s): %s" % (sent, why, fmt_counts(counts)))
    okc = counts[s2.STATUS_SUCCESS]
    check("locks: 1024 locks granted on one open (got %d), the rest "
          "INSUFFICIENT_RESOURCES (x%d)" % (okc, counts[
              s2.STATUS_INSUFFICIENT_RESOURCES]),
          okc == 1024 and counts[s2.STATUS_INSUFFICIENT_RESOURCES] ==
          sent - 1024 and why == "done",
          "answers: %s; end: %s" % (fmt_counts(counts), why))
    m = [ln for ln in vo.splitlines() if ln.startswith("RTT ")]
    mx = float(m[-1].split("max=")[1].split()[0]) if m else None
    check("locks: another computer's ECHO + listing round trip stays under "
          "1 s during the flood (max %s s)" % (
              ("%.3f" % mx) if mx is not None else "?"),
          mx is not None and mx < 1.0, "victim said: %s" % vo.strip())
    a.rss_check()
    c.close_socket()
    a.limit_check("locks")
    a.served_check()


# ---- 7. no NEGOTIATE ----

def eof_within(c, secs):
    """'EOF', 'reset', or a description of what came instead."""
    try:
        reps = c.recv(secs)
        return "a reply: %s" % ", ".join(
            "%s SessionId 0x%x" % (s2.status_name(r.status), r.session_id)
            for r in reps)
    except Closed as e:
        return "reset" if "reset" in str(e).lower() else "EOF"
    except socket.timeout:
        return "nothing within %g s (connection still open)" % secs


def attack_nonego():
    a = Attack("nonego")
    _, tok = Conn.ntlm_negotiate_token()
    firsts = [
        ("SESSION_SETUP", s2.SESSION_SETUP, None),
        ("TREE_CONNECT", s2.TREE_CONNECT, None),
        ("CREATE", s2.CREATE, Conn.create_body("x.txt")),
    ]
    for name, cmd, body in firsts:
        c = Conn(PORT, src=ATTACKER)
        if cmd == s2.SESSION_SETUP:
            body = c.session_setup_body(tok)
        elif cmd == s2.TREE_CONNECT:
            body = c.tree_connect_body("demo")
        c.send(cmd, body)
        got = eof_within(c, 5)
        check("nonego: %s as the first message: the server closes the "
              "connection%s" % (name, " (%s)" % got if got in (
                  "EOF", "reset") else ""), got in ("EOF", "reset"),
              "got %s" % got)
        c.close_socket()

    # 'server min protocol = SMB3_00' in this daemon's config: a 2.1
    # NEGOTIATE is refused, and a connection without NEGOTIATE must not
    # get a session (and a tree, an open) in at 2.0.2 either.
    c = Conn(PORT, src=ATTACKER)
    try:
        c.negotiate(dialects=(s2.DIALECT_202, s2.DIALECT_210))
        mp = "negotiated 0x%04x" % c.dialect
    except s2.Failed as e:
        mp = s2.status_name(e.status)
    except Closed:
        mp = "closed"
    c.close_socket()
    note("nonego: NEGOTIATE offering 2.0.2 and 2.1 only (server min "
         "protocol = SMB3_00): %s" % mp)
    c = Conn(PORT, src=ATTACKER)
    reached = []
    try:
        c.logon(USER, PASSWORD)
        reached.append("session 0x%x" % c.sid)
        c.tree_connect("demo")
        reached.append("tree %d" % c.tid)
        fid = c.create("nonego.txt", disposition=s2.FILE_OVERWRITE_IF)
        reached.append("open")
        c.close(fid)
        got = "logged on"
    except s2.Failed as e:
        got = s2.status_name(e.status)
    except Closed as e:
        got = "closed (%s)" % e
    except socket.timeout:
        got = "timeout"
    c.close_socket()
    check("nonego: a connection that never sends NEGOTIATE does not get "
          "round 'server min protocol = SMB3_00' (%s)" % got,
          not reached, "without NEGOTIATE it got %s" % ", ".join(reached))
    a.limit_check("no_negotiate")
    a.served_check()


# ---- CHANGE_NOTIFY flood ----

def attack_notify():
    a = Attack("notify")
    c = user_conn()
    s2.grow_credits(c, 512)
    # one pending CHANGE_NOTIFY per open: as many opens as notifies
    total = scaled(10000, 2000)
    fids = []
    body = c.create_body("notifydir", access=s2.FILE_LIST_DIRECTORY |
                         s2.SYNCHRONIZE, options=s2.FILE_DIRECTORY_FILE)
    oc, _, owhy = flood(c, lambda i: (s2.CREATE, body, {}), total, 512, 60,
                        base=a.rss0,
                        on_reply=lambda r: fids.append(r.body[64:80])
                        if r.status == 0 else None)
    note("notify: %d opens of notifydir (%s): %s" % (len(fids), owhy,
                                                     fmt_counts(oc)))
    counts, sent, why = flood(
        c, lambda i: (s2.CHANGE_NOTIFY, c.change_notify_body(fids[i]), {}),
        len(fids), 512, 30, interim_done=True, base=a.rss0)
    note("notify: %d CHANGE_NOTIFYs, one per open (%s): %s"
         % (sent, why, fmt_counts(counts)))
    pend = counts[s2.STATUS_PENDING]
    ir = counts[s2.STATUS_INSUFFICIENT_RESOURCES]
    check("notify: at most 256 pending on one connection (STATUS_PENDING "
          "x%d), the rest INSUFFICIENT_RESOURCES (x%d)" % (pend, ir),
          1 <= pend <= 256 and ir > 0 and pend + ir == sent,
          "answers: %s; end: %s" % (fmt_counts(counts), why))
    a.rss_check()
    c.close_socket()
    a.limit_check("pending_notifies")
    a.served_check()


# ---- a compound of thousands of READs ----

def attack_compound():
    a = Attack("compound")
    c = user_conn(rcvbuf=4096)
    fid = c.create("big.bin", access=s2.FILE_READ_DATA, share=1)
    s2.grow_credits(c, 8000)
    n = min(8000, c.available() - 8, scaled(8000, 2000))
    if n < 2:
        check("compound: READs of 64 KiB in one frame", False,
              "only %d credits granted" % c.available())
        return
    msgs = [c.build(s2.READ, c.read_body(fid, (i % 16) << 16, 65536),
                    charge=1, credits=1)[1] for i in range(n)]
    try:
        c.sock.settimeout(5)
        c.send_compound(msgs)
        sent = "sent"
    except (socket.timeout, OSError) as e:
        sent = "send stopped: %s" % e
    note("compound: one frame of %d READs of 64 KiB (%d KiB of requests, "
         "%d MiB of replies asked for; %s), not read" % (
             n, sum(len(m) + 7 for m in msgs) // 1024, n // 16, sent))
    for _ in range(15):
        time.sleep(0.1)
        a.sample()
    a.rss_check("while the compound's replies are not read ")
    # now read what comes
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    counts = collections.Counter()
    why = "done"
    try:
        while sum(counts.values()) < n:
            for r in c.recv(10):
                if not r.interim:
                    counts[r.status] += 1
    except Closed as e:
        why = "closed (%s)" % e
    except socket.timeout:
        why = "no more replies for 10 s"
    except ValueError as e:
        why = "a malformed reply frame of %d bytes (%s)" % (
            c.last_frame_len, e)
    note("compound: answers %s; end: %s" % (fmt_counts(counts), why))
    c.close_socket()
    # one compound's replies may reach the backlog, 8 MiB at most (a
    # frame's length is 24 bits)
    if n * 65536 <= min(BACKLOG, 8 << 20):
        ok("compound: the credit window (%d credits) keeps one compound's "
           "replies within the %d MiB reply backlog" % (
               n + 8, BACKLOG >> 20))
        a.served_check()
        return
    check("compound: the rest of the compound is refused with "
          "INSUFFICIENT_RESOURCES or the connection is dropped",
          counts[s2.STATUS_INSUFFICIENT_RESOURCES] > 0 or
          why.startswith("closed"),
          "of %d READs: %s; end: %s" % (n, fmt_counts(counts), why))
    now = limits()
    hits = [(k, a.lim0.get(k), now.get(k)) for k in ("compound_reply",
                                                     "reply_backlog")]
    check("compound: statistics.limits_hit.compound_reply or reply_backlog "
          "increased (%s)" % hits,
          any(x is not None and y is not None and y > x for _, x, y in hits),
          "counters before/after: %s" % hits)
    a.served_check()


# ---- victims (subprocesses) ----

def victim_ops(addr):
    t0 = time.monotonic()
    c = Conn(PORT, src=addr, timeout=60)
    c.negotiate()
    c.logon(USER, PASSWORD)
    c.tree_connect("demo")
    t1 = time.monotonic()
    fid = c.create("victim-%s.txt" % addr, disposition=s2.FILE_OVERWRITE_IF)
    c.write(fid, b"v" * 4096)
    data = c.read(fid, 0, 4096)
    c.close(fid)
    t2 = time.monotonic()
    print("OPS logon=%.3f ops=%.3f ok=%d" % (t1 - t0, t2 - t1,
                                            data == b"v" * 4096), flush=True)


def victim_rtt(addr, secs):
    c = Conn(PORT, src=addr, timeout=30)
    c.negotiate()
    c.logon(USER, PASSWORD)
    c.tree_connect("demo")
    print("READY", flush=True)
    mx, n = 0.0, 0
    end = time.monotonic() + secs
    stop = []
    import signal
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while time.monotonic() < end and not stop:
        t0 = time.monotonic()
        c.echo()
        d = c.open_dir("small")
        c.list_dir(d)
        c.close(d)
        mx = max(mx, time.monotonic() - t0)
        n += 1
        time.sleep(0.05)
    print("RTT n=%d max=%.3f" % (n, mx), flush=True)


ATTACKS = {
    "pattern": attack_pattern,
    "backlog": attack_backlog,
    "sessions": attack_sessions,
    "listings": attack_listings,
    "listings20k": lambda: attack_listings("big20k", 1350),
    "trees": attack_trees,
    "locks": attack_locks,
    "nonego": attack_nonego,
    "notify": attack_notify,
    "compound": attack_compound,
    # with max reply backlog = 64M the credit window (1024) no longer
    # keeps one compound's replies small: the compound limit must
    "compound64": attack_compound,
}


def main():
    global PORT
    mode = sys.argv[1]
    if mode == "tree":
        for share in sys.argv[3:]:
            make_tree(share, int(sys.argv[2]))
        return 0
    PORT = int(sys.argv[2])
    if mode == "victim-ops":
        victim_ops(sys.argv[3])
        return 0
    if mode == "victim-rtt":
        victim_rtt(sys.argv[3], float(sys.argv[4]))
        return 0
    t0 = time.monotonic()
    try:
        ATTACKS[mode]()
    except Exception as e:  # noqa: BLE001 - a harness or server failure
        import traceback
        fail("%s: the attack could not run to its end" % mode,
             "%s: %s (daemon %s)" % (type(e).__name__, e,
                                     "alive" if alive() else "DEAD"))
        traceback.print_exc(limit=4, file=sys.stdout)
    note("%s: %d passed, %d failed, %.1f s" % (mode, wgcheck.passed, wgcheck.failed,
                                                time.monotonic() - t0))
    return 1 if wgcheck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
