#!/usr/bin/env python3
"""Check that the source folders form layers: dependencies point one way.

Two kinds of edge between folders are collected:
  include  a file in folder A includes a header in folder B
  call     an object compiled from folder A uses a symbol defined in B
           (read with nm from the build directory, so a declaration in a
           low header of a function a higher folder defines is caught)
Each folder may depend only on folders listed before it in LAYERS. A
lower layer that needs a higher one calls a function pointer the higher
one registered, which neither kind of edge sees, by design.

  scripts/layers.py [--build DIR] [--graph]
exits 1 and names every edge that points up (with an example), 0 if none.
--graph prints the folder graph (for the README and closing notes).
"""
import argparse
import collections
import os
import re
import subprocess
import sys

# Bottom up. A folder may use only those before it.
LAYERS = [
    'proto',
    'sessions',
    'pipes',
    'smbd/base',       # log, config, NT time: need no smbd object
    'smbd',            # smbd.h: the object model; budget.c
    'smbd/fs',
    'smbd/print',
    'smbd/net',
    'smbd/smb2',
    'smbd/admin',
    'smbd/smb1',       # the SMB1 front end: beside smb2/cmd, below it
    'smbd/smb2/cmd',
    'smbd/daemon',
    'tools',
]
RANK = {f: i for i, f in enumerate(LAYERS)}
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder(path):
    return os.path.dirname(path)


def sources(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '*.c', '*.h'],
                         capture_output=True, text=True, check=True).stdout
    return [p for p in out.split() if folder(p) in RANK]


def include_edges(root, files):
    edges = collections.defaultdict(list)
    for f in files:
        with open(os.path.join(root, f), encoding='utf-8') as fh:
            for inc in INC.findall(fh.read()):
                a, b = folder(f), folder(inc)
                if b in RANK and a != b:
                    edges[(a, b)].append('%s includes %s' % (f, inc))
    return edges


def nm(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBRC':
            defined.add(p[2])
        elif len(p) == 2 and p[0] == 'U':
            used.add(p[1])
    return defined, used


def call_edges(build, files):
    # meson names an object after its source path with '/' as '_'.
    objname = {f.replace('/', '_') + '.o': f for f in files if f.endswith('.c')}
    objs = {}
    for dirpath, _, names in os.walk(build):
        for n in names:
            if n in objname and dirpath.endswith('.p'):
                objs[objname[n]] = os.path.join(dirpath, n)
    owner, uses = {}, {}
    for src, obj in objs.items():
        d, u = nm(obj)
        for s in d:
            owner[s] = src
        uses[src] = u
    edges = collections.defaultdict(list)
    for src, used in uses.items():
        for s in sorted(used):
            if s in owner:
                a, b = folder(src), folder(owner[s])
                if a != b:
                    edges[(a, b)].append('%s calls %s (%s)' % (src, s, owner[s]))
    return edges, len(objs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', help='build directory to read objects from')
    ap.add_argument('--graph', action='store_true')
    ap.add_argument('--root', default=os.path.join(os.path.dirname(__file__), '..'))
    args = ap.parse_args()
    files = sources(args.root)
    kinds = {'include': include_edges(args.root, files)}
    if args.build:
        edges, nobj = call_edges(args.build, files)
        if nobj == 0:
            print('layers: no objects under %s' % args.build, file=sys.stderr)
            return 1
        kinds['call'] = edges
    bad = 0
    graph = collections.defaultdict(set)
    for kind, edges in kinds.items():
        for (a, b), why in sorted(edges.items()):
            graph[a].add(b)
            if RANK[b] >= RANK[a]:
                bad += 1
                print('UP %s: %s -> %s, e.g. %s (%d in all)'
                      % (kind, a, b, why[0], len(why)))
    if args.graph:
        for a in LAYERS:
            if a in graph:
                below = sorted(graph[a], key=lambda f: RANK[f])
                print('%-14s -> %s' % (a, ', '.join(below)))
    if bad:
        print('layers: %d upward edges' % bad)
        return 1
    print('layers: %d folders, every include and call points down' % len(LAYERS))
    return 0


if __name__ == '__main__':
    sys.exit(main())
