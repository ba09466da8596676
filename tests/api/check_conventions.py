#!/usr/bin/env python3
"""Fails when a function of include/ctune.h breaks the API's three shape rules
(docs/api-conventions.md, "Outputs first", "Buffers" and "`_ex` functions"):

- outputs first: a parameter the function writes through (a non-const pointer
  to a plain value or array, or a pointer to a pointer) comes before every
  input, except the size that goes with a buffer (`buf, cap`, `out, ld`);
  `void *user` / `void *self` are handed through, not outputs, and a
  non-const pointer to a ctune handle is the handle the call works on;
- buffers: a `char *` (or `void *buf`) output with its `size_t` capacity is
  the first pair of parameters and the function returns `long`;
- `_ex`: a function named `*_ex` ends with `const char *options`.

The few functions whose signature is fixed elsewhere are listed in
EXCEPTIONS with the reason, as the conventions page lists them.

Usage: check_conventions.py SOURCE_ROOT
"""
import os
import re
import sys

# name: why its order is not checked
EXCEPTIONS = {
    "ctune_mlp_build": "a ctune_build_fn: the builder callback's order",
}
PLAIN = {"double", "float", "int", "long", "int64_t", "uint64_t", "size_t", "uint32_t",
         "char", "void", "ctune_study_trial_info"}
SIZE_TYPES = {"size_t"}
DECL = re.compile(r"CTUNE_API\s+([^;{]*?)\b(ctune_\w+)\s*\(([^;{]*?)\)\s*(?:CTUNE_PRINTF\([^)]*\))?;",
                  re.S)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def parse_param(p):
    """(type text, name, is_output) of one parameter declaration."""
    p = " ".join(p.split())
    m = re.match(r"(.*?)(\w+)$", p)
    typ, name = m.group(1).strip(), m.group(2)
    stars = typ.count("*")
    base = typ.replace("*", " ").replace("const", " ").split()
    base = base[-1] if base else ""
    if stars == 0 or name in ("user", "self"):
        return typ, name, False
    if stars >= 2:
        # T **out: returns a pointer (an object, a borrowed view); const char
        # *const *names is an input array
        return typ, name, "*const" not in typ.replace(" ", "")
    const = typ.startswith("const") or " const" in typ.split("*")[0]
    if const:
        return typ, name, False
    return typ, name, base in PLAIN


def check(path):
    with open(path, encoding="utf-8") as f:
        text = strip_comments(f.read())
    errors = []
    n = 0
    for m in DECL.finditer(text):
        ret, name, params = " ".join(m.group(1).split()), m.group(2), m.group(3).strip()
        n += 1
        if params in ("", "void") or name in EXCEPTIONS:
            continue
        parts = [parse_param(p) for p in params.split(",") if p.strip() != "..."]
        # outputs first
        seen_input = None
        prev_out = False
        for typ, pname, out in parts:
            if out:
                if seen_input:
                    errors.append(f"{name}: output '{pname}' comes after input '{seen_input}'")
                    break
                prev_out = True
                continue
            if prev_out and typ in SIZE_TYPES:
                prev_out = False  # the capacity / leading dimension of the output before it
                continue
            seen_input = seen_input or pname
            prev_out = False
        # buffers
        for k, (typ, pname, out) in enumerate(parts):
            is_buf = (out and typ.replace(" ", "") == "char*") or (typ.replace(" ", "") == "void*"
                                                                   and pname == "buf")
            if not is_buf:
                continue
            if k != 0 or len(parts) < 2 or parts[1][0] not in SIZE_TYPES:
                errors.append(f"{name}: buffer '{pname}' is not the first parameter followed "
                              f"by its size_t capacity")
            if ret != "long":
                errors.append(f"{name}: a buffer function returns long (the length needed), "
                              f"not {ret}")
        # _ex
        if name.endswith("_ex"):
            typ, pname, _ = parts[-1]
            if " ".join(typ.split()) != "const char *" or pname != "options":
                errors.append(f"{name}: an _ex function ends with 'const char *options'")
    return n, errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    n, errors = check(os.path.join(root, "include", "ctune.h"))
    for e in errors:
        print(f"include/ctune.h: {e}")
    if n < 100:
        print(f"check_conventions: only {n} declarations found: the parser is broken")
        return 1
    if errors:
        print(f"check_conventions: {len(errors)} function(s) break the API conventions "
              f"(docs/api-conventions.md)")
        return 1
    print(f"check_conventions: {n} functions follow the API conventions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
