#!/usr/bin/python3
"""bench/perf_groups.py - where a server's CPU goes, by kind of work.

Reads `perf script -F tid,ip,sym,dso` of a perf record with call graphs
(profile.sh --tool perf) on stdin and prints the share of samples in user
code (by library) and in the kernel by what it was doing: the system call
each kernel sample sits under (the frame below do_syscall_64), with the
scheduler (a sleep and wake-up: finish_task_switch or __schedule on the
stack) and the loopback delivery the sender of a TCP segment is charged
for (softirq under writev) apart. Then the same in a few large groups:
scheduler, TCP, epoll, VFS, futex, xattr, user, system call entry/exit.

    perf script -i FILE -F tid,ip,sym,dso | bench/perf_groups.py
"""

import collections
import re
import sys

VFS = ('openat2', 'openat', 'close', 'statx', 'newfstatat', 'fstatat',
       'faccessat2', 'faccessat', 'unlinkat', 'renameat2', 'getdents64',
       'fsync', 'fdatasync', 'ftruncate', 'fallocate', 'utimensat')
XATTR = ('getxattr', 'fgetxattr', 'setxattr', 'fsetxattr', 'listxattr',
         'flistxattr', 'removexattr', 'fremovexattr', 'path_getxattrat',
         'path_setxattrat', 'path_listxattrat', 'getxattrat')


def classify(frames):
    """frames: (symbol, dso) from the leaf up."""
    syms = [f[0] for f in frames]
    dso = frames[0][1] if frames else ''
    if '[kernel' not in dso:
        for lib in ('wgsmbd', 'libc', 'talloc', 'tevent', 'nettle'):
            if lib in dso:
                return 'user:' + lib
        return 'user:' + dso.split('/')[-1].strip('()')
    if 'do_syscall_64' not in syms:
        return 'k:interrupt, no system call'
    i = syms.index('do_syscall_64')
    below = syms[i - 1] if i > 0 else ''
    n = re.sub(r'^(__x64_sys_|__se_sys_|__do_sys_|do_sys_|ksys_|do_)', '',
               below)
    n = re.sub(r'\.(isra|part|constprop).*', '', n)
    if 'epoll_wait' in n:
        n = 'epoll_wait'
    if any(s.startswith('finish_task_switch') or s == '__schedule'
           for s in syms[:i]):
        return 'k:' + (n or 'syscall') + ' (scheduler: sleep/wake)'
    if n in ('writev', 'write', 'sendmsg'):
        if 'handle_softirqs' in syms[:i] or 'net_rx_action' in syms[:i]:
            return 'k:writev, loopback delivery (softirq)'
        return 'k:writev, TCP send'
    if n in ('read', 'recvfrom', 'recvmsg', 'readv'):
        return 'k:read, TCP receive'
    if n in VFS or n in XATTR or n == 'futex' or 'epoll' in n:
        return 'k:' + n
    if n in ('', 'syscall_64', 'x64_sys_call', 'exit_to_user_mode_loop'):
        return 'k:system call entry/exit'
    return 'k:' + n


def group(g):
    if g.startswith('user'):
        return 'user code'
    if 'scheduler' in g:
        return 'scheduler (sleep and wake-up)'
    if 'TCP' in g or 'loopback' in g:
        return 'TCP (send, loopback delivery, receive)'
    if 'epoll' in g:
        return 'epoll (less its sleeps)'
    if 'futex' in g:
        return 'futex'
    if any(g == 'k:' + x for x in XATTR):
        return 'xattr'
    if any(g == 'k:' + x for x in VFS):
        return 'VFS (opens, stats, access, close)'
    return 'system call entry/exit, interrupts, other'


def main():
    fine = collections.Counter()
    frames = []
    head = False
    for line in list(sys.stdin) + ['']:
        if not line.strip():
            if head:
                fine[classify(frames)] += 1
            head, frames = False, []
            continue
        if not head:
            head = True
            continue
        m = re.match(r'\s*[0-9a-f]+\s+(\S+)\s+\((.*)\)', line)
        if m:
            frames.append((re.sub(r'\+0x.*', '', m.group(1)), m.group(2)))
    total = sum(fine.values())
    if total == 0:
        print('no samples')
        return 1
    user = sum(n for g, n in fine.items() if g.startswith('user'))
    print('%d samples: user %.1f%%, kernel %.1f%%' %
          (total, 100.0 * user / total, 100.0 * (total - user) / total))
    for g, n in fine.most_common(20):
        print('%6.1f%%  %s' % (100.0 * n / total, g))
    big = collections.Counter()
    for g, n in fine.items():
        big[group(g)] += n
    print('-- grouped')
    for g, n in big.most_common():
        print('%6.1f%%  %s' % (100.0 * n / total, g))
    return 0


if __name__ == '__main__':
    sys.exit(main())
