#!/usr/bin/python3
"""report.py - the markdown tables of bench/run.sh from its results.tsv.

Each line of results.tsv: METRIC SERVER ROUND VALUE STEAL% OTHER%
(SERVER is wg, samba or ceiling; STEAL% is the machine's CPU steal during
that run, OTHER% the CPU used by processes other than the server and the
client, both in % of all CPUs).
"""
import argparse
import re
import statistics
import sys
import textwrap


def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3g" % v


def cell(vals):
    if not vals:
        return "—"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med)
    return "%s (%s–%s)" % (fmt(med), fmt(min(vals)), fmt(max(vals)))


OFFICE_OPS = ["stat", "open+read", "create+write", "rename", "delete",
              "listing"]


def side_by_side(vals, med, key):
    """(wgsmbd's values of key, Samba's, wgsmbd's median, the ratio of the
    medians or None), or None when neither server has a value."""
    w = vals.get((key, "wg"), [])
    s = vals.get((key, "samba"), [])
    if not w and not s:
        return None
    mw, ms = med(key, "wg"), med(key, "samba")
    return w, s, mw, (mw / ms if mw is not None and ms else None)


def met_of(kind, ratio, target):
    """Whether a ratio meets its target: kind "le" (at most target) or
    "ge" (at least), None for a row without one."""
    if kind is None:
        return "—"
    if ratio is None:
        return "**no** (missing)"
    ok = ratio <= target if kind == "le" else ratio >= target
    return "yes" if ok else "**no**"


def short_of(med, key, want):
    """"wgsmb", "Samba" or "wgsmb and Samba": the servers whose median of
    key is under 95% of want (a paced rate they should have kept), or
    None if both kept it."""
    short = ["wgsmb" if srv == "wg" else "Samba" for srv in ("wg", "samba")
             if (med(key, srv) or 0) < 0.95 * want]
    return " and ".join(short) if short else None


def office_tag(tag):
    """(cpus, copier MiB/s or 0, equal offered load) of an office tag: c2
    (the copier flat out), c2r200 (paced to 200 MiB/s), c2r200e (and the
    office computers paced too: equal offered load)."""
    m = re.fullmatch(r"c(\d+)(?:r(\d+))?(e?)", tag)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0), m.group(3) == "e"


def bound_by(idle, srv, rest, pinned):
    """What stops the aggregate rate, from the machine split: the whole
    machine (under 10% idle; with how much of it went to the rest, other
    load first of all), else the server's pinned CPUs (90% of them busy),
    else neither (the clients wait on latency, not on a CPU)."""
    if idle is None or srv is None:
        return "—"
    if idle < 10:
        return "the machine's CPU (%.0f%% idle; rest %s CPUs)" % (
            idle, fmt(rest) if rest is not None else "?")
    if srv >= 0.9 * pinned:
        return "the server's %d CPU%s" % (pinned, "" if pinned == 1 else "s")
    return "no CPU (%.0f%% idle): latency" % idle


def office_tables(a, vals, med):
    """The ten-computer tables, per server CPU count the issue's workload
    (copier flat out, with the issue 16 targets) and then, supplementary,
    the copier paced to the same rate for both servers."""
    tags = {k[0].split(".", 1)[1] for k in vals
            if k[0].startswith("office_ops.")}
    tags = sorted((t for t in tags if office_tag(t) is not None),
                  key=office_tag)
    out = []
    for tag in tags:
        n, mibs, equal = office_tag(tag)
        if equal:
            out += equal_load_table(a, vals, med, tag)
            continue
        paced = mibs > 0
        if paced:
            head = ("Supplementary, equal work: ten computers, server on "
                    "%d CPU%s, the copier paced to %d MiB/s for both "
                    "servers (the issue's targets are for the table above; "
                    "this one compares office operations/s at the same "
                    "bulk work):" % (n, "" if n == 1 else "s", mibs))
        else:
            head = ("Ten computers at once (issue 16's workload), server on "
                    "%d CPU%s (taskset): %d office computers in a closed "
                    "loop, one copier of a %d MiB file up and down, flat "
                    "out; %d s per run; latencies over all computers, µs; "
                    "median (range) over the rounds:"
                    % (n, "" if n == 1 else "s", a.office_clients,
                       a.office_bulk >> 20, a.office_secs))
        out += [head, "", "| | wgsmb | Samba | ratio | target | met? |",
                "|---|---|---|---|---|---|"]

        def row(label, key, kind=None, target=None, text="—"):
            got = side_by_side(vals, med, key)
            if got is None:
                return
            w, s, _, ratio = got
            if paced:
                kind, text = None, "—"
            out.append("| %s | %s | %s | %s | %s | %s |"
                       % (label, cell(w), cell(s), fmt(ratio), text,
                          met_of(kind, ratio, target)))

        row("office operations/s", "office_ops." + tag, "ge", 2,
            "≥ 2× Samba")
        for op in OFFICE_OPS:
            row("%s p50" % op, "office_p50_%s.%s" % (op, tag), "le", 1,
                "≤ Samba's")
            row("%s p99" % op, "office_p99_%s.%s" % (op, tag), "le", 0.5,
                "≤ ½ Samba's")
        if paced:
            row("copier MiB/s (paced to %d)" % mibs, "office_bulk." + tag)
        else:
            row("copier MiB/s", "office_bulk." + tag)
        row("failed operations", "office_err." + tag)
        # Where the machine's CPU went: what bounds the rate.
        row("machine busy, %% of all %d CPUs" % a.ncpu, "office_busy." + tag)
        row("machine idle, %", "office_idle." + tag)
        row("server CPU (CPUs busy)", "office_cpu." + tag)
        row("%d office computers (client CPUs)" % a.office_clients,
            "office_ccpu." + tag)
        row("copier (client CPUs)", "office_bcpu." + tag)
        row("rest: other load, kernel work charged to none of these (CPUs)",
            "office_rest." + tag)
        row("kernel in irq+softirq, loopback TCP mostly (CPUs; the kernel "
            "may also charge it to the processes above)", "office_irq." + tag)
        # Who waited for a CPU (schedstat run delay): bench/README.md.
        row("server run delay, ms per s of wall (all its threads)",
            "office_srd." + tag)
        row("server run delay, ms per server CPU-second",
            "office_srdc." + tag)
        row("office computers' run delay, ms per s (summed)",
            "office_crd." + tag)
        row("office computers' run delay, ms per their CPU-second",
            "office_crdc." + tag)
        row("copier run delay, ms per s", "office_brd." + tag)
        if ("office_idle." + tag, "wg") in vals or \
                ("office_idle." + tag, "samba") in vals:
            why = [bound_by(med("office_idle." + tag, srv),
                            med("office_cpu." + tag, srv),
                            med("office_rest." + tag, srv), n)
                   for srv in ("wg", "samba")]
            out.append("| aggregate bound by | %s | %s | — | — | — |"
                       % tuple(why))
        short = paced and short_of(med, "office_bulk." + tag, mibs)
        if short:
            out += ["", "Not equal work: the copier of %s stayed under "
                    "95%% of %d MiB/s." % (short, mibs)]
        out.append("")
    return out


def equal_load_table(a, vals, med, tag):
    """The ten computers at equal offered load (tag cN[rMIBS]e): the office
    computers paced to the same total rate for both servers, latencies
    from the time each operation was due and from its actual start, and
    who waited for a CPU."""
    n, mibs, _ = office_tag(tag)
    offered = med("office_offered." + tag, "samba") or \
        med("office_offered." + tag, "wg")
    out = ["Equal offered load: ten computers, server on %d CPU%s; the %d "
           "office computers paced (open loop, `loadgen -R`) to the same "
           "%s office operations/s in all for both servers (by default 80%% "
           "of Samba's closed-loop rate in the run above), each on a fixed "
           "timetable; the copier %s; %d s, first round only. Latencies in "
           "µs *from due*: from the time the operation was due on its "
           "computer's timetable (a start delayed by the computer's earlier "
           "operations counts); *from start*: from when it started (the "
           "service time the client saw, its own wait for a CPU included):"
           % (n, "" if n == 1 else "s", a.office_clients,
              fmt(offered) if offered is not None else "?",
              "paced to %d MiB/s" % mibs if mibs else "flat out",
              a.office_secs),
           "", "| | wgsmb | Samba | ratio | wgsmb ≤ Samba? |",
           "|---|---|---|---|---|"]

    def row(label, key, judge=False):
        got = side_by_side(vals, med, key)
        if got is None:
            return
        w, s, _, ratio = got
        met = met_of("le", ratio, 1) if judge and ratio is not None else "—"
        out.append("| %s | %s | %s | %s | %s |"
                   % (label, cell(w), cell(s), fmt(ratio), met))

    row("office operations/s offered", "office_offered." + tag)
    row("office operations/s done", "office_ops." + tag)
    row("operations started > 1 ms after due, %", "office_late." + tag)
    row("mean start lag behind the timetable, ms", "office_lag." + tag)
    row("slots skipped (a computer > 9 behind)", "office_skip." + tag)
    for op in OFFICE_OPS:
        row("%s p50 from due" % op, "office_p50_%s.%s" % (op, tag), True)
        row("%s p99 from due" % op, "office_p99_%s.%s" % (op, tag), True)
    for op in OFFICE_OPS:
        row("%s p50 from start" % op, "office_sp50_%s.%s" % (op, tag), True)
        row("%s p99 from start" % op, "office_sp99_%s.%s" % (op, tag), True)
    row("copier MiB/s" + (" (paced to %d)" % mibs if mibs else ""),
        "office_bulk." + tag)
    row("failed operations", "office_err." + tag)
    row("machine idle, %", "office_idle." + tag)
    row("server CPU (CPUs busy)", "office_cpu." + tag)
    row("%d office computers (client CPUs)" % a.office_clients,
        "office_ccpu." + tag)
    row("office computers' run delay, ms per s (summed)",
        "office_crd." + tag)
    row("office computers' run delay, ms per their CPU-second",
        "office_crdc." + tag)
    per_op = {}
    for srv in ("wg", "samba"):
        crd, ops = med("office_crd." + tag, srv), med("office_ops." + tag,
                                                       srv)
        if crd is not None and ops:
            per_op[srv] = 1000 * crd / ops
    if per_op:
        w, s_ = per_op.get("wg"), per_op.get("samba")
        out.append("| office computers' run delay per operation done, µs "
                   "| %s | %s | %s | %s |"
                   % (fmt(w), fmt(s_), fmt(w / s_) if w is not None and s_
                      else "—", "—"))
    row("server run delay, ms per s of wall (all its threads)",
        "office_srd." + tag)
    row("server run delay, ms per server CPU-second", "office_srdc." + tag)
    row("copier run delay, ms per s", "office_brd." + tag)
    short = mibs and short_of(med, "office_bulk." + tag, mibs)
    if short:
        out += ["", "Not equal work: the copier of %s stayed under "
                "95%% of %d MiB/s." % (short, mibs)]
    short = offered and short_of(med, "office_ops." + tag, offered)
    if short:
        out += ["", "Not equal load: the office computers of %s did "
                "under 95%% of the offered rate." % short]
    out.append("")
    return out


def floor_row(out, vals, med, key, target):
    """Under a server CPU row, the kernel's floor for that exchange
    (bench/floor.c): server "floor" (the client's think time as measured
    against wgsmbd, think_*) and "floor0" (no think time, a lower bound).
    In the wgsmb column, with floor/Samba as the ratio, what share of
    wgsmbd's CPU it is, and whether the target (a fraction of Samba's)
    lies above the floor at all."""
    think = med("think_" + key[4:], "floor")
    for srv, what in [("floor", "client think time %s µs per request, "
                       "as measured" % fmt(think)),
                      ("floor0", "no think time: lower bound")]:
        f = vals.get((key, srv), [])
        if not f:
            continue
        mf, ms, mw = med(key, srv), med(key, "samba"), med(key, "wg")
        ratio = mf / ms if ms else None
        share = "; %.0f%% of wgsmb's" % (100 * mf / mw) if mw else ""
        if ratio is None or target is None:
            met = "—"
        elif ratio <= target:
            met = "reachable (target above the floor)"
        else:
            met = "**not reachable**: the floor is %s× the target" % fmt(
                ratio / target)
        out.append("| ↳ kernel floor, same exchange (bench/floor.c, %s%s) "
                   "| %s | %s | %s | floor/Samba | %s |"
                   % (what, share, cell(f),
                      cell(vals.get((key, "samba"), [])), fmt(ratio), met))


TRANSFERS = [("sc_put", "put"), ("sc_put_sign", "put sign"),
             ("sc_put_encrypt", "put encr"), ("sc_get", "get"),
             ("sc_get_sign", "get sign"), ("sc_get_encrypt", "get encr")]
PUT_TARGET = 1.5	# issue 16: put at least 1.5x Samba


def transfer_bound(cli, top, kind, srv, idle):
    """What bounds one smbclient transfer, in at most 23 characters: the
    client's CPU (smbclient is one thread) at 90% of a CPU or more, else
    the server's busiest thread at 90% or more, else the server's threads
    together at 0.90-1.10 CPU (one connection's work handed from thread to
    thread in series: wgsmbd holds a connection while a worker verifies or
    decrypts its frame), else the machine (under 10% idle), else no CPU:
    latency."""
    if cli is not None and cli >= 0.9:
        return "client-bound: %.2f CPU" % cli
    if top is not None and top >= 0.9:
        return "server-bound: %s %.2f" % (kind, top)
    if srv is not None and 0.9 <= srv <= 1.1:
        return "server chain: %.2f CPU" % srv
    if idle is not None and idle < 10:
        return "machine-bound: %.0f%% idle" % idle
    if idle is None:
        return "—"
    return "latency: %.0f%% idle" % idle


def transfer_bounds(a, vals, med, other):
    """Per smbclient transfer and server: rate, CPU per GiB of server and
    client, their CPU use, the busiest server thread, the machine's idle
    share and what bounds it; then for each put, the most wgsmbd could
    reach with this client on this machine (the target's measured
    reason)."""
    rows = [(k, n) for k, n in TRANSFERS
            if (("ccpu_" + k, "wg") in vals or ("ccpu_" + k, "samba") in vals)]
    if not rows:
        return []
    kinds = {1: "loop", 2: "pool", 0: "other"}

    def f2(v):
        return "—" if v is None else "%.2f" % v
    out = ["", "What bounds each smbclient transfer, medians over the rounds "
           "(bench/README.md): CPU", "seconds per GiB and CPUs busy (srv: "
           "the server, all its threads; top: its busiest thread;",
           "cli: smbclient, one thread), idle %% of all %d CPUs:" % a.ncpu,
           "", "| run | server | MiB/s | srv s/GiB | cli s/GiB "
           "| srv CPU | busiest | cli CPU | idle% | bound by |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for key, name in rows:
        for srv, sname in [("wg", "wgsmb"), ("samba", "Samba")]:
            if (key, srv) not in vals:
                continue
            util = med("util_" + key, srv)
            cutil = med("cutil_" + key, srv)
            cli = cutil / 100 if cutil is not None else None
            top = med("stop_" + key, srv)
            kv = vals.get(("stopk_" + key, srv), [])
            kind = kinds.get(int(statistics.mode(kv)), "?") if kv else "?"
            idle = med("idle_" + key, srv)
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                       % (name, sname, fmt(med(key, srv)),
                          f2(med("cpu_" + key, srv)),
                          f2(med("ccpu_" + key, srv)),
                          f2(util / 100) if util is not None else "—",
                          "%.2f %s" % (top, kind) if top is not None
                          else "—", f2(cli),
                          "%.1f" % idle if idle is not None else "—",
                          transfer_bound(cli, top, kind,
                                         util / 100 if util is not None
                                         else None, idle)))
    notes = []
    for key, name in rows:
        if not key.startswith("sc_put"):
            continue
        rw, rs = med(key, "wg"), med(key, "samba")
        cw, sw = med("ccpu_" + key, "wg"), med("cpu_" + key, "wg")
        top = med("stop_" + key, "wg")
        if not rw or not rs or cw is None or sw is None:
            continue
        wall = 1024 / rw	# s per GiB against wgsmbd
        parts = [("smbclient's own CPU", cw),
                 ("smbclient + wgsmbd over %d CPUs" % a.ncpu,
                  (cw + sw) / a.ncpu)]
        if top is not None:
            parts.append(("wgsmbd's busiest thread", top * wall))
        why, floor = max(parts, key=lambda p: p[1])
        ceil = 1024 / floor / rs if floor > 0 else None
        busy = [statistics.median(other[(key, x)]) for x in ("wg", "samba")
                if other.get((key, x))]
        load = ""
        if busy and max(busy) >= 10:
            load = (" Other load took up to %.0f%% of the machine in these "
                    "runs: the bound assumes a quiet one." % max(busy))
        notes.append("- %s: %s× Samba (%s vs %s MiB/s). Floor for wgsmbd "
                     "with this client here: %s %s s/GiB (%s), so at most "
                     "%s× Samba; the target is %s×: %s.%s"
                     % (name, fmt(rw / rs), fmt(rw), fmt(rs), why, fmt(floor),
                        ", ".join("%s %s" % (n, fmt(v)) for n, v in parts
                                  if n != why),
                        fmt(ceil), fmt(PUT_TARGET),
                        "out of reach unless smbclient's or the machine's "
                        "share drops" if ceil is not None and
                        ceil < PUT_TARGET else "within reach", load))
    if notes:
        out += ["", "Each put against its target: the largest of the lower "
                "bounds on wgsmbd's wall time per", "GiB that this run "
                "measured, and the ratio to Samba it allows:", ""]
        for n in notes:
            out += textwrap.wrap(n, 96, subsequent_indent="  ")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--hold", type=int, default=500)
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--io", type=int, default=1 << 30)
    ap.add_argument("--cycle-jobs", type=int, default=2)
    ap.add_argument("--echo-procs", type=int, default=4)
    ap.add_argument("--office-secs", type=int, default=30)
    ap.add_argument("--office-clients", type=int, default=9)
    ap.add_argument("--office-bulk", type=int, default=256 << 20)
    ap.add_argument("--ncpu", type=int, default=2)
    a = ap.parse_args()

    vals, steal, other = {}, {}, {}
    with open(a.results) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 4 or p[3] == "":
                continue
            key = (p[0], p[1])
            vals.setdefault(key, []).append(float(p[3]))
            if len(p) > 4 and p[4] != "":
                steal.setdefault(key, []).append(float(p[4]))
            if len(p) > 5 and p[5] != "":
                other.setdefault(key, []).append(float(p[5]))

    def med(metric, server):
        v = vals.get((metric, server))
        return statistics.median(v) if v else None

    io = "1 GiB" if a.io == 1 << 30 else "%d MiB" % (a.io >> 20)
    # metric, label, kind (ratio target: "le" or "ge"), target value, text
    rows = [
        ("cpu_cycles", "server CPU per session cycle (ms)", "le", 1 / 40,
         "≤ 1/40 of Samba's"),
        ("cycles", "session cycles per second (%d clients)" % a.cycle_jobs,
         "ge", 4, "≥ 4× Samba"),
        ("cpu_openclose", "server CPU per open+fstat+close (µs)", "le",
         1 / 4, "≤ 1/4 of Samba's"),
        ("cpu_stat", "server CPU per stat (µs)", "le", 1 / 4,
         "≤ 1/4 of Samba's"),
        ("cpu_echo", "server CPU per SMB2 ECHO (µs)", "le", 1 / 4,
         "≤ 1/4 of Samba's"),
        ("mem_session", "server memory per idle session + tree connect, "
         "K = %d (KiB PSS)" % a.hold, "abs_le", 4, "≤ 4 KiB"),
        ("big", None, None, None, None),
        ("sc_get", "smbclient get %s (MiB/s)" % io, "ge", 1.2, "≥ 1.2× Samba"),
        ("get_ceiling", None, None, None, None),
        ("sc_put", "smbclient put %s (MiB/s)" % io, "ge", 1.5, "≥ 1.5× Samba"),
        ("sc_put_sign", "smbclient put %s, signed (MiB/s)" % io, "ge", 1.5,
         "≥ 1.5× Samba"),
        ("sc_put_encrypt", "smbclient put %s, encrypted (MiB/s)" % io, "ge",
         1.5, "≥ 1.5× Samba"),
        ("sc_get_sign", "smbclient get %s, signed (MiB/s)" % io, None, None,
         "—"),
        ("sc_get_encrypt", "smbclient get %s, encrypted (MiB/s)" % io, None,
         None, "—"),
        ("openclose", "open+fstat+close per second", "ge", 2, "≥ 2× Samba"),
        ("stat", "stat per second", "ge", 2, "≥ 2× Samba"),
        ("echo", "SMB2 ECHO per second (smbtorture, %d connections)"
         % a.echo_procs, "ge", 2, "≥ 2× Samba"),
        ("lg_write", "libsmbclient write %s (MiB/s)" % io, None, None, "—"),
        ("lg_read", "libsmbclient read %s (MiB/s)" % io, None, None, "—"),
        ("mem_idle", "server memory when idle (KiB PSS)", None, None, "—"),
    ]
    out = office_tables(a, vals, med)
    main_start = len(out)
    out += ["| metric | wgsmb median (range) | Samba median (range) | ratio "
            "| target | met? |", "|---|---|---|---|---|---|"]
    for key, label, kind, target, text in rows:
        if key == "big":
            held, want = med("big_held", "wg"), med("big_want", "wg")
            rss = med("big_rss", "wg")
            if held is None:
                continue
            ok = held >= want and rss is not None and rss < 100
            fds, nofile = med("big_fds", "wg"), med("big_nofile", "wg")
            extra = ""
            if fds is not None and nofile is not None:
                extra = "; %d fds open, limit %d" % (fds, nofile)
            out.append("| %s concurrent idle sessions (`edition = server`), "
                       "total RSS | %d held, %s MB%s | — (not run) | — | "
                       "held, total RSS < 100 MB | %s |"
                       % ("{:,}".format(int(want)), held, fmt(rss), extra,
                          "yes" if ok else "**no**"))
            continue
        if key == "get_ceiling":
            ceil = med("ceil_tcp", "ceiling")
            g_wg, g_sb = med("sc_get", "wg"), med("sc_get", "samba")
            if not ceil:
                continue
            pw = 100 * g_wg / ceil if g_wg else None
            ps = 100 * g_sb / ceil if g_sb else None
            met = "yes" if pw is not None and pw >= 85 else "**no**"
            out.append("| smbclient get as %% of loopback TCP (iperf3 %s "
                       "MiB/s) | %s%% | %s%% | — | wgsmb ≥ 85%% | %s |"
                       % (fmt(ceil), fmt(pw), fmt(ps), met))
            continue
        got = side_by_side(vals, med, key)
        if got is None:
            continue
        w, s, mw, ratio = got
        if kind == "abs_le":
            met = "yes" if mw is not None and mw <= target else "**no**"
        else:
            met = met_of(kind, ratio, target)
        out.append("| %s | %s | %s | %s | %s | %s |"
                   % (label, cell(w), cell(s), fmt(ratio), text, met))
        floor_row(out, vals, med, key, target)

    if len(out) == main_start + 2:
        del out[main_start:]	# --only-office: no single-client figures
    cpu_start = len(out)
    out += ["", "Server CPU per unit of work (all its processes and threads, "
            "from /proc) and its CPU use in", "% of one CPU over the run:", "",
            "| workload | unit | wgsmb | Samba | ratio | wgsmb CPU use % "
            "| Samba CPU use % |", "|---|---|---|---|---|---|---|"]
    for key, name, unit in [
            ("cycles", "session cycles", "ms/cycle"),
            ("openclose", "open+fstat+close", "µs/op"),
            ("stat", "stat", "µs/op"),
            ("echo", "SMB2 ECHO", "µs/echo"),
            ("lg_write", "libsmbclient write", "s/GiB"),
            ("lg_read", "libsmbclient read", "s/GiB"),
            ("sc_put", "smbclient put", "s/GiB"),
            ("sc_get", "smbclient get", "s/GiB"),
            ("sc_put_sign", "smbclient put, signed", "s/GiB"),
            ("sc_get_sign", "smbclient get, signed", "s/GiB"),
            ("sc_put_encrypt", "smbclient put, encrypted", "s/GiB"),
            ("sc_get_encrypt", "smbclient get, encrypted", "s/GiB")]:
        cw = vals.get(("cpu_" + key, "wg"), [])
        cs = vals.get(("cpu_" + key, "samba"), [])
        if not cw and not cs:
            continue
        mw, ms = med("cpu_" + key, "wg"), med("cpu_" + key, "samba")
        out.append("| %s | %s | %s | %s | %s | %s | %s |"
                   % (name, unit, cell(cw), cell(cs),
                      fmt(mw / ms) if mw is not None and ms else "—",
                      cell(vals.get(("util_" + key, "wg"), [])),
                      cell(vals.get(("util_" + key, "samba"), []))))

    if len(out) == cpu_start + 5:
        del out[cpu_start:]
    out += transfer_bounds(a, vals, med, other)
    if ("ceil_tcp", "ceiling") in vals or ("ceil_tmpfs", "ceiling") in vals:
        out += ["", "| ceiling (same machine) | median (range) |",
                "|---|---|"]
        out.append("| loopback TCP, iperf3 (MiB/s) | %s |"
                   % cell(vals.get(("ceil_tcp", "ceiling"), [])))
        out.append("| tmpfs read, dd bs=1M (MiB/s) | %s |"
                   % cell(vals.get(("ceil_tmpfs", "ceiling"), [])))

    out += ["", "CPU steal and other load (% of all CPUs) during each run, "
            "median (max):", "",
            "| runs | steal, wgsmb | steal, Samba | other load, wgsmb "
            "| other load, Samba |", "|---|---|---|---|---|"]

    def sm(d, key):
        v = d.get(key, [])
        if not v:
            return "—"
        return "%.1f (%.1f)" % (statistics.median(v), max(v))

    otags = sorted({k[0].split(".", 1)[1] for k in steal
                    if k[0].startswith("office_ops.")
                    and office_tag(k[0].split(".", 1)[1]) is not None},
                   key=office_tag)
    names = [("office_ops." + t, "ten computers, %d CPU%s%s%s"
              % (office_tag(t)[0], "" if office_tag(t)[0] == 1 else "s",
                 ", copier %d MiB/s" % office_tag(t)[1]
                 if office_tag(t)[1] else "",
                 ", equal offered load" if office_tag(t)[2] else ""))
             for t in otags] + [("cycles", "session cycles"), ("mem_session", "hold K sessions"),
             ("openclose", "open+fstat+close"), ("stat", "stat"),
             ("lg_write", "libsmbclient write"), ("lg_read", "libsmbclient read"),
             ("sc_put", "smbclient put"), ("sc_get", "smbclient get"),
             ("sc_put_sign", "smbclient put, signed"),
             ("sc_get_sign", "smbclient get, signed"),
             ("sc_put_encrypt", "smbclient put, encrypted"),
             ("sc_get_encrypt", "smbclient get, encrypted"),
             ("echo", "SMB2 ECHO"), ("big_held", "%d sessions" % a.big)]
    for key, name in names:
        if (key, "wg") not in steal and (key, "samba") not in steal:
            continue
        out.append("| %s | %s | %s | %s | %s |"
                   % (name, sm(steal, (key, "wg")), sm(steal, (key, "samba")),
                      sm(other, (key, "wg")), sm(other, (key, "samba"))))
    for key, name in [("ceil_tcp", "iperf3"), ("ceil_tmpfs", "dd")]:
        if (key, "ceiling") in steal:
            out.append("| %s | %s | — | — | — |"
                       % (name, sm(steal, (key, "ceiling"))))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
