#!/usr/bin/env bash
# Whole-process cost of --study on W1 (20 candidates x 3 folds of the lecture's
# MLP on breast cancer: `ctune search --n-iter 20`), measured side by side:
# runs alternate between the plain search and the same search with a new
# study file, and the medians of wall time are compared.
#
# usage: bench/study_overhead.sh [BUILD_DIR] [ROUNDS]     (defaults: build, 11)
set -euo pipefail
BUILD=${1:-build}
ROUNDS=${2:-11}
CTUNE="$BUILD/tools/ctune"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ARGS=(search --n-iter 20 --quiet)
now() { date +%s.%N; }
plain=() study=()
for i in $(seq "$ROUNDS"); do
  t0=$(now); "$CTUNE" "${ARGS[@]}" >/dev/null; t1=$(now)
  plain+=("$(echo "$t1 - $t0" | bc -l)")
  rm -f "$TMP"/w1.db*
  t0=$(now); "$CTUNE" "${ARGS[@]}" --study "$TMP/w1.db" >/dev/null; t1=$(now)
  study+=("$(echo "$t1 - $t0" | bc -l)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${plain[@]}")
ms=$(median "${study[@]}")
printf 'W1 plain : median %.3f s over %d runs\n' "$mp" "$ROUNDS"
printf 'W1 study : median %.3f s over %d runs\n' "$ms" "$ROUNDS"
printf 'overhead : %+.1f %%\n' "$(echo "($ms - $mp) / $mp * 100" | bc -l)"
