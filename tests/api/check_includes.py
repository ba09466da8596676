#!/usr/bin/env python3
"""Fails on any #include edge between folders that ARCHITECTURE.md does not allow.

The rules are the table between the "include-rules" markers of ARCHITECTURE.md
(the one source of truth; this script only reads it): one row per folder, the
folders it may include besides its own files and the public headers. Checked:
every `#include "..."` of the C sources and headers under lib/, tools/ and
examples/ (tests/ and bench/ are white-box and may include anything); a folder
without a row fails, so a new folder is declared in the table first. Also
checked: only lib/nn/gemm.c includes blis.h.

Usage: check_includes.py SOURCE_ROOT
"""
import os
import re
import sys

PUBLIC = {"ctune.h", "ctune_testing.h", "ctune_mpi.h"}
CHECKED_ROOTS = ("lib", "tools", "examples")
BLIS_OWNER = "lib/nn/gemm.c"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def read_rules(root):
    """{folder: set of folders it may include} from ARCHITECTURE.md."""
    path = os.path.join(root, "ARCHITECTURE.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- include-rules: begin.*?-->(.*?)<!-- include-rules: end -->", text, re.S)
    if not m:
        sys.exit(f"check_includes: no include-rules block in {path}")
    rules = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue  # header and separator rows
        folder = cells[0].strip("`")
        rules[folder] = set(re.findall(r"`([^`]+)`", cells[-1]))
    if not rules:
        sys.exit(f"check_includes: the include-rules table of {path} has no rows")
    return rules


def folder_of(rel):
    parts = rel.split("/")
    return "/".join(parts[:2]) if parts[0] == "lib" and len(parts) > 2 else parts[0]


def sources(root):
    for top in CHECKED_ROOTS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    rules = read_rules(root)
    problems = []
    n_edges = 0
    for rel in sorted(sources(root)):
        src = folder_of(rel)
        allowed = rules.get(src)
        if allowed is None:
            problems.append(f"{rel}: folder {src} has no row in the include rules of ARCHITECTURE.md")
            continue
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, inc = m.groups()
                if os.path.basename(inc) == "blis.h":
                    if rel != BLIS_OWNER:
                        problems.append(f"{rel}:{lineno}: includes blis.h (only {BLIS_OWNER} may)")
                    continue
                if kind == "<":
                    continue  # system and third-party headers
                if inc in PUBLIC:
                    continue
                if "/" not in inc:  # a file next to the includer
                    if os.path.exists(os.path.join(root, os.path.dirname(rel), inc)):
                        continue
                    problems.append(f"{rel}:{lineno}: \"{inc}\" is neither next to it nor public")
                    continue
                target = folder_of("lib/" + inc)  # internal headers are named from lib/
                n_edges += 1
                if target == src or target in allowed:
                    continue
                problems.append(f"{rel}:{lineno}: {src} includes \"{inc}\" ({target}), which "
                                f"ARCHITECTURE.md does not allow (allowed: "
                                f"{', '.join(sorted(allowed)) or 'public headers only'})")
    if problems:
        print("check_includes: include edges outside ARCHITECTURE.md's table:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"check_includes: {n_edges} internal include edges, all allowed by ARCHITECTURE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
