#!/usr/bin/env python3
"""Checks the code-size rules: no Swift source file over 400 lines, no function over 80 lines.

A function is counted from the line of its `func`/`init`/`deinit` keyword to the line of its closing
brace (braces inside strings and comments are skipped). Prints each offender and a closing count;
exits 1 on any. Usage: scripts/check-sizes.py [FILE...] (default: every Swift file under Sources/)."""
import pathlib, re, sys

MAX_FILE, MAX_FUNC = 400, 80
DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|final|override|mutating|nonmutating|nonisolated|consuming|borrowing|convenience|required|dynamic|@\w+)\s+)*(?:func\s|init[?!]?\s*[(<]|deinit\s*\{)')

def code_only(line, state):
    """The line without strings and comments; `state` carries block comments and multi-line strings."""
    out, i = [], 0
    while i < len(line):
        if state['block']:
            j = line.find('*/', i)
            if j < 0: return ''.join(out)
            state['block'] = False; i = j + 2; continue
        if state['multi']:
            j = line.find('"""', i)
            if j < 0: return ''.join(out)
            state['multi'] = False; i = j + 3; continue
        if line.startswith('//', i): break
        if line.startswith('/*', i): state['block'] = True; i += 2; continue
        if line.startswith('"""', i): state['multi'] = True; i += 3; continue
        if line[i] == '"':
            i += 1
            while i < len(line) and line[i] != '"':
                i += 2 if line[i] == '\\' else 1
            i += 1; continue
        out.append(line[i]); i += 1
    return ''.join(out)

def check(path):
    problems = []
    lines = path.read_text(encoding='utf-8').splitlines()
    if len(lines) > MAX_FILE:
        problems.append(f"{path}: {len(lines)} lines (at most {MAX_FILE})")
    state = {'block': False, 'multi': False}
    depth, open_funcs = 0, []  # (start line, depth at which its body opened)
    pending = None
    for n, raw in enumerate(lines, 1):
        code = code_only(raw, state)
        if DECL.match(code) and pending is None:
            pending = n
        for ch in code:
            if ch == '{':
                depth += 1
                if pending is not None:
                    open_funcs.append((pending, depth)); pending = None
            elif ch == '}':
                if open_funcs and open_funcs[-1][1] == depth:
                    start, _ = open_funcs.pop()
                    if n - start + 1 > MAX_FUNC:
                        problems.append(f"{path}:{start}: function of {n - start + 1} lines (at most {MAX_FUNC})")
                depth -= 1
    return problems

files = sorted(pathlib.Path(p) for p in sys.argv[1:]) or sorted(pathlib.Path('Sources').rglob('*.swift'))
bad = 0
for f in files:
    for p in check(f):
        print(p); bad += 1
print(f"sizes: {len(files)} files, {bad} over the limits")
sys.exit(1 if bad else 0)
