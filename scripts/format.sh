#!/usr/bin/env bash
# Formats the C and C++ sources with clang-format and the repository's
# .clang-format (written for clang-format 14; CLANG_FORMAT overrides the
# program). Only files tracked by git are touched.
#
# Usage: scripts/format.sh [--check] [FILE...]
#   (no FILE)  every tracked *.c, *.h, *.cpp and *.hpp
#   --check    changes nothing: lists each file that would change with the
#              number of lines that would change, prints the totals, and
#              exits 1 when any file would change
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "format: $cf not found (apt-get install clang-format)" >&2; exit 2; }

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
fi

if [ $check -eq 0 ]; then
  "$cf" -i --style=file "${files[@]}"
  exit 0
fi

n_files=0
n_lines=0
for f in "${files[@]}"; do
  # lines of the file that formatting removes or rewrites
  changed=$("$cf" --style=file "$f" | diff -U0 "$f" - | grep -c '^-[^-]' || true)
  if [ "$changed" -gt 0 ]; then
    echo "$f: $changed line(s)"
    n_files=$((n_files + 1))
    n_lines=$((n_lines + changed))
  fi
done
echo "format: ${n_files} of ${#files[@]} file(s) would change, ${n_lines} line(s)"
[ $n_files -eq 0 ]
