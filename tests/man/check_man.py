#!/usr/bin/env python3
"""
check_man.py - checks of the man pages (man/*.scd, built by meson into
BUILD/man/), run by scripts/test.sh:

  - each page was built, renders with `man --warnings -l` (run as lintian
    runs it) and with `groff -ww -z -man` without a single warning, and
    has a NAME line that lexgrog (whatis) reads;
  - wgsmb.conf(5) documents every key the config parser knows, in the
    right section, and documents no key the parser does not know. The
    parser's keys come from the daemon itself (`wgsmbd --list-keys`, read
    from the key table in smbd/base/config_keys.c), so the check follows
    the code;
  - wgsmbd(8) and wgnet(8) name every long option that `--help` of the
    programs (and of each wgnet verb) prints, and wgnet(8) every verb;
  - `meson install` puts the pages in man5/ and man8/;
  - the key check itself fails when a key's paragraph is removed or an
    unknown key is documented (run on altered copies of the page).

Prints "PASS: what" or "FAIL: what: why" per check and "N passed, M failed"
alone on the last line; exits 1 if anything failed.

Usage: tests/man/check_man.py [--build DIR]   (default: build)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PAGES = ["wgsmbd.8", "wgnet.8", "wgsmb.conf.5"]
# Top-level headings of wgsmb.conf(5) that hold the keys, by section kind.
KEY_SECTIONS = {"GLOBAL PARAMETERS": "global", "SHARE PARAMETERS": "share"}
# A key's entry: a line starting with the bold key, then " = value" or a
# "++" line break (aliases are stacked that way), e.g.
#   *netbios name* = _NAME_
#   *writable* = _boolean_++
KEY_LINE = re.compile(r"^\*([a-z][a-z0-9 $]*)\*(?: = .*|\+\+)?$")

results = []


def report(name, ok, why=""):
    results.append(ok)
    if ok:
        print(f"PASS: {name}")
    else:
        print(f"FAIL: {name}: {why}")


def run(argv, env=None):
    """(exit status, stdout, stderr) of argv; status 127 if not found."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env,
                           timeout=60)
    except FileNotFoundError as e:
        return 127, "", str(e)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- rendering -----------------------------------------------------------

def check_render(build):
    # As lintian runs man (manpage-has-errors-from-man): a clean
    # environment, C.UTF-8, no roff sequences.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LC_ALL": "C.UTF-8", "MANROFFSEQ": "", "MANWIDTH": "80"}
    for page in PAGES:
        path = os.path.join(build, "man", page)
        if not os.path.isfile(path):
            report(f"{page} built", False,
                   f"{path} is missing (scdoc not found? meson "
                   "setup -Dman=enabled)")
            continue
        report(f"{page} built", True)
        for what, argv in (
                ("man --warnings -l", ["man", "--warnings", "-E", "UTF-8",
                                       "-l", "-Tutf8", "-Z", path]),
                ("groff -ww -z -man", ["groff", "-ww", "-z", "-t", "-man",
                                       path])):
            rc, out, err = run(argv, env)
            if what.startswith("man") and rc == 0 and not out.strip():
                rc, err = 1, "rendered to nothing"
            ok = rc == 0 and err.strip() == ""
            report(f"{page} renders with {what}", ok,
                   f"exit {rc}: {err.strip()[:400]}")
        # The NAME section as mandb and apropos read it (lintian:
        # manpage-has-bad-whatis-entry).
        rc, out, err = run(["lexgrog", path], env)
        name = page.rsplit(".", 1)[0]
        report(f"{page} has a whatis entry", rc == 0 and
               f'"{name} - ' in out, f"lexgrog: exit {rc}: {out}{err}")


# ---- config keys ---------------------------------------------------------

def documented_keys(scd_text):
    """{(section, key): line} from the key entries of wgsmb.conf(5)."""
    keys = {}
    section = None
    for n, line in enumerate(scd_text.splitlines(), 1):
        if line.startswith("# "):
            section = KEY_SECTIONS.get(line[2:].strip())
            continue
        m = KEY_LINE.match(line)
        if section is not None and m:
            keys.setdefault((section, m.group(1)), n)
    return keys


def parser_keys(wgsmbd):
    """{(section, key)} from `wgsmbd --list-keys`, or a string error."""
    rc, out, err = run([wgsmbd, "--list-keys"])
    if rc != 0:
        return f"{wgsmbd} --list-keys: exit {rc}: {err.strip()}"
    keys = set()
    for line in out.splitlines():
        section, _, key = line.partition("\t")
        if section not in ("global", "share") or not key:
            return f"{wgsmbd} --list-keys: unexpected line {line!r}"
        keys.add((section, key))
    if not keys:
        return f"{wgsmbd} --list-keys printed no key"
    return keys


def key_mismatch(known, scd_text):
    """A message naming undocumented and unknown keys, or "" if none."""
    documented = documented_keys(scd_text)
    missing = sorted(known - set(documented))
    extra = sorted(set(documented) - known)
    parts = []
    if missing:
        parts.append("not documented: " +
                     ", ".join(f"[{s}] '{k}'" for s, k in missing))
    if extra:
        parts.append("documented but unknown to the parser: " +
                     ", ".join(f"[{s}] '{k}' (line {documented[(s, k)]})"
                               for s, k in extra))
    return "; ".join(parts)


def drop_paragraph(scd_text, key):
    """The page without the entry of key: its term line and the indented
    lines under it."""
    out = []
    skipping = False
    for line in scd_text.splitlines():
        if KEY_LINE.match(line) and line.startswith(f"*{key}*"):
            skipping = True
            continue
        if skipping and (line.startswith("\t") or line == ""):
            if line == "":
                skipping = False
            continue
        skipping = False
        out.append(line)
    return "\n".join(out) + "\n"


def check_keys(build):
    scd = os.path.join(ROOT, "man", "wgsmb.conf.5.scd")
    text = read(scd)
    known = parser_keys(os.path.join(build, "wgsmbd"))
    if isinstance(known, str):
        report("config keys: the parser lists them", False, known)
        return
    report(f"config keys: the parser lists them ({len(known)})", True)
    why = key_mismatch(known, text)
    report("wgsmb.conf(5) documents exactly the parser's keys", why == "",
           why)

    # The check must be able to fail: a page with a key's paragraph
    # removed, and one with a key the parser does not know.
    victim = sorted(known)[0]
    cut = drop_paragraph(text, victim[1])
    why = key_mismatch(known, cut)
    report(f"key check fails without the paragraph of '{victim[1]}'",
           "not documented" in why and victim[1] in why,
           f"it passed (or said: {why!r})")
    bogus = text.replace("# SHARE PARAMETERS",
                         "*no such key* = _x_\n\tNothing.\n\n"
                         "# SHARE PARAMETERS", 1)
    why = key_mismatch(known, bogus)
    report("key check fails on a key unknown to the parser",
           "no such key" in why, f"it passed (or said: {why!r})")


# ---- options and verbs ---------------------------------------------------

LONG_OPT = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def check_options(build):
    wgsmbd = os.path.join(build, "wgsmbd")
    wgnet = os.path.join(build, "wgnet")
    rc, out, err = run([wgsmbd, "--help"])
    page = read(os.path.join(ROOT, "man", "wgsmbd.8.scd"))
    opts = sorted(set(LONG_OPT.findall(out)))
    missing = [o for o in opts if o not in page]
    report(f"wgsmbd(8) names every option of wgsmbd --help ({len(opts)})",
           rc == 0 and opts and not missing,
           f"exit {rc}, missing {missing}")

    page = read(os.path.join(ROOT, "man", "wgnet.8.scd"))
    rc, out, err = run([wgnet, "--help"])
    if rc != 0:
        report("wgnet --help", False, f"exit {rc}: {err.strip()}")
        return
    # "Verbs:" block: "  user add NAME ...", "  session [\\COMPUTER] ..."
    block = out.split("Verbs:", 1)[-1].split("\n\n", 1)[0]
    verbs = []
    for line in block.splitlines():
        m = re.match(r"^  ([a-z]+(?: [a-z]+)?)\b", line)
        if m:
            verbs.append(m.group(1))
    missing = [v for v in verbs if f"*{v}" not in page]
    report(f"wgnet(8) describes every verb of wgnet --help ({len(verbs)})",
           bool(verbs) and not missing, f"missing {missing}")

    helps = [out]
    for verb in sorted({v.split()[0] for v in verbs}):
        rc, vout, err = run([wgnet, verb, "--help"])
        if rc != 0:
            report(f"wgnet {verb} --help", False, f"exit {rc}")
            continue
        helps.append(vout)
    opts = sorted(set(LONG_OPT.findall("\n".join(helps))))
    missing = [o for o in opts if o not in page]
    report(f"wgnet(8) names every option of wgnet's help texts "
           f"({len(opts)})", bool(opts) and not missing,
           f"missing {missing}")


# ---- install -------------------------------------------------------------

def check_install(build):
    with tempfile.TemporaryDirectory(prefix="wgsmb-man-") as dest:
        rc, out, err = run(["meson", "install", "-C", build, "--no-rebuild",
                            "--destdir", dest, "--tags", "man"])
        if rc != 0:
            report("meson install --tags man", False,
                   f"exit {rc}: {(out + err).strip()[-400:]}")
            return
        found = {}
        for d, _, files in os.walk(dest):
            for f in files:
                found[f] = os.path.relpath(os.path.join(d, f), dest)
        for page in PAGES:
            want = f"share/man/man{page.rsplit('.', 1)[1]}/{page}"
            path = found.get(page, "")
            report(f"meson install puts {page} in {os.path.dirname(want)}/",
                   path.endswith(want), f"installed as {path or 'nothing'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build",
                    help="meson build directory (default: build)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)

    check_render(build)
    check_keys(build)
    check_options(build)
    check_install(build)

    passed = sum(1 for r in results if r)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
