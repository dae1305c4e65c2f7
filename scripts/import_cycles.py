#!/usr/bin/env python3
"""Lists import cycles between files of src/{api,app,repo}: every `crate::...` path a
file names (in `use` lines or inline) is resolved to the file that defines it, and any
strongly connected group of more than one file is printed. Exit status 1 if any."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
LAYERS = ("api", "app", "repo")


def module_file(parts):
    """The file of the longest prefix of `parts` that is a module."""
    for n in range(len(parts), 0, -1):
        base = os.path.join(ROOT, *parts[:n])
        for cand in (base + ".rs", os.path.join(base, "mod.rs")):
            if os.path.isfile(cand):
                return os.path.relpath(cand, ROOT)
    return None


def expand(path):
    """`a::{b, c::{d}}` -> [a::b, a::c::d] (brace groups expanded)."""
    m = re.search(r"\{", path)
    if not m:
        return [path]
    head = path[: m.start()]
    depth, inner_end = 0, None
    for i in range(m.start(), len(path)):
        if path[i] == "{":
            depth += 1
        elif path[i] == "}":
            depth -= 1
            if depth == 0:
                inner_end = i
                break
    inner = path[m.start() + 1 : inner_end]
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    items.append(cur)
    out = []
    for it in items:
        it = it.strip()
        if it:
            out.extend(expand(head + it))
    return out


def imports(text):
    found = set()
    for m in re.finditer(r"\buse\s+crate::([^;]+);", text, re.S):
        for p in expand(re.sub(r"\s+", "", m.group(1))):
            found.add(tuple(x for x in p.split(" as ")[0].split("::") if x and x != "self"))
    for m in re.finditer(r"\bcrate::((?:[a-z_][a-z0-9_]*::)+)", text):
        found.add(tuple(x for x in m.group(1).split("::") if x))
    return found


files = {}
for layer in LAYERS:
    for dirpath, _, names in os.walk(os.path.join(ROOT, layer)):
        for n in names:
            if n.endswith(".rs"):
                rel = os.path.relpath(os.path.join(dirpath, n), ROOT)
                files[rel] = open(os.path.join(dirpath, n)).read()

graph = {}
for f, text in files.items():
    deps = set()
    for parts in imports(text):
        target = module_file(list(parts))
        if target and target != f and target in files:
            deps.add(target)
    graph[f] = deps

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted(graph):
    if v not in index:
        visit(v)
for c in sccs:
    print("cycle:", " <-> ".join(c))
    for f in c:
        print("   ", f, "->", ", ".join(sorted(d for d in graph[f] if d in c)))
sys.exit(1 if sccs else 0)
