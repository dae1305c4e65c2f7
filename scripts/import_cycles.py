#!/usr/bin/env python3
"""Import cycles between the files of src/: builds the file-level graph from `use` trees
and `crate::`/`super::` paths in code (unit-test modules left out: they may reach
anything), and prints every cycle, i.e. each group of files that import each other.

    python3 scripts/import_cycles.py [src]
"""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else 'src'
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] == 'mod':
                rel = rel[:-1]
            if rel in (['lib'], ['main']):
                rel = []
            files[tuple(rel)] = p

def file_of(path):
    """The longest module prefix of `path` that is a file."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in files:
            return tuple(path[:n])
    return None

def strip_comments(s):
    s = re.sub(r'//[^\n]*', '', s)
    return re.sub(r'/\*.*?\*/', '', s, flags=re.S)

def expand(tree):
    """Paths of a use tree such as `a::{b, c::{d, self}}`."""
    tree = tree.strip()
    i = tree.find('{')
    if i < 0:
        t = re.sub(r'\s+as\s+\w+$', '', tree)
        return [[x for x in t.split('::') if x and x != 'self']]
    prefix = [x for x in tree[:i].split('::') if x]
    inner, depth, parts, cur = tree[i + 1:tree.rfind('}')], 0, [], ''
    for ch in inner:
        if ch == '{': depth += 1
        if ch == '}': depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur); cur = ''
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out += [prefix + q for q in expand(p)]
    return out

def resolve(mod, path, inline=False):
    if not path: return None
    if path[0] == 'crate':
        return list(path[1:])
    # inside an inline `mod tests { .. }`, `super` is the file's own module
    base = list(mod) + (['tests'] if inline else [])
    # a file that is not mod.rs is its own module; `super` goes to its parent
    while path and path[0] == 'super':
        base = base[:-1]; path = path[1:]
    if path and path[0] == 'self':
        path = path[1:]
    return base + list(path)

edges = {m: set() for m in files}
for mod, p in files.items():
    src = strip_comments(open(p).read())
    # Unit tests may reach anything; the structure is what the code outside them uses.
    cut = re.search(r'#\[cfg\(test\)\]\s*mod \w+ \{', src)
    if cut:
        src = src[:cut.start()]
    paths = []
    inline_at = src.find('mod tests {')
    inline = lambda pos: inline_at >= 0 and pos > inline_at
    for m in re.finditer(r'\buse\s+([^;]+);', src):
        paths += [(q, inline(m.start())) for q in expand(m.group(1))]
    for m in re.finditer(r'\b((?:crate|super)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+)', src):
        paths.append((m.group(1).split('::'), inline(m.start())))
    for path, in_tests in paths:
        if path[0] not in ('crate', 'super', 'self'):
            continue
        target = resolve(mod, path, in_tests)
        if target is None: continue
        f = file_of(target)
        if f is not None and f != mod:
            edges[mod].add(f)

# Tarjan's SCC
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
for v in edges:
    if v not in index:
        visit(v)
name = lambda m: '/'.join(m) or 'lib'
cycles = [c for c in sccs if len(c) > 1]
for c in cycles:
    inside = sorted(name(m) for m in c)
    print('cycle:', ', '.join(inside))
    for m in sorted(c):
        for w in sorted(edges[m]):
            if w in c:
                print('   ', name(m), '->', name(w))
print(len(cycles), 'cycle(s) in total')
# A check that cannot fail checks nothing: any cycle fails CI.
raise SystemExit(1 if cycles else 0)
