"""PASS:/FAIL: lines and their counts, for the Python client tests.

run_all.sh counts every PASS: and FAIL: line a test prints; a test also
exits 1 if anything failed. Import the functions, read the counts as
wgcheck.passed and wgcheck.failed (module attributes: a name imported
with `from` would be a copy of 0). Also find_key, for `wgnet --json`,
and pattern, test data that shows where it was misplaced."""

import os

passed = 0
failed = 0


def ok(desc):
    global passed
    passed += 1
    print("PASS: " + desc, flush=True)


def fail(desc, why):
    global failed
    failed += 1
    print("FAIL: %s: %s" % (desc, why), flush=True)


def expect(desc, cond, why):
    """ok(desc) if cond holds, else fail(desc, why)."""
    if cond:
        ok(desc)
    else:
        fail(desc, why)


def summary(name):
    """Print '# NAME: N passed, M failed'; the exit status to return."""
    print("# %s: %d passed, %d failed" % (name, passed, failed), flush=True)
    return 1 if failed else 0


def wait_go(go_file, max_time):
    """Print STARTED, then wait up to max_time s for go_file to exist (the
    caller times what follows without Python's start in it). False, after
    printing NO GO, if it never came."""
    import os
    import time
    print("STARTED", flush=True)
    end = time.monotonic() + max_time
    while not os.path.exists(go_file):
        if time.monotonic() > end:
            print("NO GO after %.0f s" % max_time, flush=True)
            return False
        time.sleep(0.02)
    return True


def find_key(d, key):
    """The value of key anywhere in the JSON tree d (a scalar), or None."""
    if isinstance(d, dict):
        if key in d and not isinstance(d[key], (dict, list)):
            return d[key]
        children = d.values()
    elif isinstance(d, list):
        children = d
    else:
        return None
    for v in children:
        r = find_key(v, key)
        if r is not None:
            return r
    return None


def pattern(n, seed):
    """n bytes that differ from offset to offset and from seed to seed
    (random ones if seed is None)."""
    block = os.urandom(4096) if seed is None else \
        bytes((i * 7 + seed * 13) & 0xFF for i in range(4096))
    return (block * (n // 4096 + 1))[:n]


def grow_slow_to_truncate(path, size, start=0):
    """Grow the file at path to size bytes, from offset start, as thousands
    of extents: 4 KiB of data every 16 KiB, written out (fsync). Its
    truncate then has each extent to free, which takes ext4 about a quarter
    of a second for 64 MiB here, against 3 ms for as much page cache
    written in one piece: a request sent once the truncate has begun (the
    size changed) then comes during it, on a loaded machine too."""
    block = b"y" * 4096
    fd = os.open(path, os.O_WRONLY)
    try:
        for off in range(start, size - len(block), 4 * len(block)):
            os.pwrite(fd, block, off)
        os.pwrite(fd, block, size - len(block))
        os.fsync(fd)
    finally:
        os.close(fd)


def fill_for_cut(path, size, head_len, slow=True):
    """The file at path (made through the share by the caller) gets
    pattern(head_len, 7) at its start, then is grown to size bytes:
    slow, in thousands of extents (grow_slow_to_truncate), else as a
    hole. Its first min(size, 2 MiB) bytes, for cut_intact."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, pattern(head_len, 7), 0)
        if not slow:
            os.ftruncate(fd, size)
    finally:
        os.close(fd)
    if slow:
        grow_slow_to_truncate(path, size, start=head_len)
    with open(path, "rb") as f:
        return f.read(2 * 1024 * 1024)


def cut_intact(path, head, size, what):
    """The file at path is size bytes and holds what lay below size
    before (head: fill_for_cut's)."""
    st = os.stat(path)
    expect(what + ": the file is the size set", st.st_size == size,
           "%d bytes, not %d" % (st.st_size, size))
    with open(path, "rb") as f:
        got = f.read(len(head))
    want = head[:size]
    expect(what + ": the data below the cut is intact", got == want,
           "%d bytes read, differ at %s" % (len(got), next(
               (i for i in range(min(len(got), len(want)))
                if got[i] != want[i]), "the end")))
