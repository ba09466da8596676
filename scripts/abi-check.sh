#!/usr/bin/env bash
# Checks the ABI of the built libctune against the recorded baseline
# abi/libctune.abi with abidiff (Debian's abigail-tools): fails when a stable
# function or variable is removed or changed (parameters, return type, or a
# type they reach), passes on additions. Appending methods at the end of a
# vtable struct (ctune_*vtable, ARCHITECTURE.md) is allowed. Exempt: the
# functions of ctune_testing.h (unstable) and of the experimental block of
# ctune.h (CTUNE_EXPERIMENTAL).
#
# Usage: scripts/abi-check.sh [BUILD_DIR]            check (default: build)
#        scripts/abi-check.sh [BUILD_DIR] --update   rewrite the baseline from
#                                                    the build (after an
#                                                    intended break: new soname)
# The build needs debug info (meson's default debugoptimized has it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mode=${2:-check}
baseline=abi/libctune.abi

for tool in abidw abidiff; do
  command -v "$tool" >/dev/null 2>&1 || { echo "abi-check: $tool not found (apt-get install abigail-tools)" >&2; exit 1; }
done
so=$(sed -n "s/^ctune_soversion = '\([0-9]*\)'.*/\1/p" meson.build)
lib="$build/lib/libctune.so.$so"
[ -e "$lib" ] || { echo "abi-check: $lib not built (meson setup $build && ninja -C $build)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The stable types are those of ctune.h (ctune_testing.h declares functions only).
mkdir "$tmp/headers"
cp include/ctune.h "$tmp/headers/"

# The ABI of the stable surface (types of the public header only), as XML.
dump() {
  abidw --headers-dir "$tmp/headers" --drop-private-types --no-show-locs --type-id-style hash \
    --no-corpus-path --no-comp-dir-path --no-elf-needed --no-parameter-names \
    --out-file "$1" "$lib"
}
if [ "$mode" = "--update" ]; then
  mkdir -p "$(dirname "$baseline")"
  dump "$baseline"
  echo "abi-check: baseline $baseline rewritten from $lib"
  exit 0
fi
[ "$mode" = "check" ] || { echo "usage: scripts/abi-check.sh [BUILD_DIR] [--update]" >&2; exit 2; }
[ -f "$baseline" ] || { echo "abi-check: no baseline $baseline (scripts/abi-check.sh $build --update)" >&2; exit 1; }

# Functions exempt from the check: everything ctune_testing.h declares, and
# what ctune.h declares inside its experimental block.
exempt=$( { grep -oE '\bctune_[a-z0-9_]+[[:space:]]*\(' include/ctune_testing.h || true
            sed -n '/^#if defined(CTUNE_EXPERIMENTAL)/,/^#endif \/\* CTUNE_EXPERIMENTAL \*\//p' \
              include/ctune.h | grep -oE '\bctune_[a-z0-9_]+[[:space:]]*\(' || true
          } | tr -d '( \t' | sort -u | paste -sd'|' -)
{
  echo "[suppress_type]"
  echo "  type_kind = struct"
  echo "  name_regexp = ^ctune_[a-z_]*vtable\$"
  echo "  has_data_member_inserted_at = end"
  if [ -n "$exempt" ]; then
    echo "[suppress_function]"
    echo "  name_regexp = ^($exempt)\$"
  fi
} > "$tmp/suppressions"

# Both sides as dumps made the same way, so that only real changes show.
dump "$tmp/current.abi"
set +e
abidiff --suppressions "$tmp/suppressions" --no-show-locs "$baseline" "$tmp/current.abi" \
  > "$tmp/report"
rc=$?
set -e
cat "$tmp/report"
if (( rc & 3 )); then
  echo "abi-check: abidiff failed (exit $rc)" >&2
  exit 1
fi
# abidiff sets bit 8 for removed symbols only; a changed function is bit 4,
# as are additions: read the summary lines for removed and changed ones.
broken=$({ grep -E 'changes summary:' "$tmp/report" || true; } |
         { grep -oE '[0-9]+ (Removed|Changed)' || true; } | awk '{s += $1} END {print s + 0}')
if (( rc & 8 )) || [ "$broken" -gt 0 ]; then
  echo "abi-check: FAILED: the stable ABI of $lib changed incompatibly against $baseline" >&2
  echo "abi-check: keep the old function or type; for an intended break bump the soname," >&2
  echo "abi-check: list it in NEWS.md and rewrite the baseline (scripts/abi-check.sh $build --update)" >&2
  exit 1
fi
echo "abi-check: ok ($lib keeps the stable ABI of $baseline; additions allowed)"
