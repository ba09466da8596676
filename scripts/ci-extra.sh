#!/usr/bin/env bash
# Extra CI checks (docs/reliability.md), run by .ci/run after the plain and
# ASan+UBSan test runs:
#   1. the main suites under valgrind (meson test --setup valgrind);
#   2. the thread-using suites under ThreadSanitizer (-Db_sanitize=thread);
#   3. every fuzz target with libFuzzer + ASan + UBSan for a bounded time,
#      keeping new crash inputs in tests/fuzz/corpus/<target>/ for review.
# Installs what it needs (valgrind, clang, libFuzzer's runtime) with apt-get
# when missing. Budget: about 6 minutes on 2 cores from an empty CI_EXTRA_DIR.
#
# Usage: scripts/ci-extra.sh [valgrind] [tsan] [fuzz]   (default: all three)
# Environment:
#   FUZZ_SECONDS   seconds per fuzz target                      [30]
#   FUZZ_JOBS      parallel fuzz targets                         [2]
#   CI_EXTRA_DIR   where the build directories go          [build-extra]
set -euo pipefail
cd "$(dirname "$0")/.."

# ---- what runs where: one place to add suites and targets -----------------
# Suites run under valgrind (the tests of everything but the Python binding;
# the fuzz suite replays the corpora). 'nn' runs BLIS and its OpenMP threads
# under memcheck; tests/reliability/valgrind.supp suppresses one read past a
# matrix inside BLIS itself (explained there).
VALGRIND_SUITES="core estimator estimators io api reliability fuzz model_selection nn report"
# Tests of those suites left out under valgrind, for time: both also run
# under ASan+UBSan in .ci/run, and under memcheck they take ~3 minutes each
# (the sweeps repeat ~13 000 calls; the persistence suite fits every
# built-in estimator many times).
VALGRIND_SKIP="rel_alloc_sweeps io_persist_builtins"
# Suites that start threads: the estimator suite's concurrent predicts, the
# conformance kit's concurrency check, the reliability suite's concurrent
# handles and searches, model_selection's thread pool (n_jobs > 1).
# From 'nn', the test of the NN's block pool (TSAN_TESTS): the pool's threads
# are ctune's own and call BLIS with one thread each. Not the rest of 'nn':
# its gemm sweeps take minutes under TSan and start no thread of their own.
TSAN_SUITES="estimator reliability model_selection"
TSAN_TESTS="nn_threads"
# Fuzz targets: every tests/fuzz/fuzz_<name>.c.
FUZZ_TARGETS=$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_JOBS=${FUZZ_JOBS:-2}
OUT=${CI_EXTRA_DIR:-build-extra}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(valgrind tsan fuzz)
want() { [[ " ${steps[*]} " == *" $1 "* ]]; }
start=$(date +%s)
stamp() { echo "== [$(( $(date +%s) - start ))s] $*"; }

# ---- dependencies (idempotent) ------------------------------------------------
need=()
want valgrind && ! command -v valgrind >/dev/null && need+=(valgrind)
if want fuzz; then
  command -v clang >/dev/null || need+=(clang)
  # libFuzzer's runtime ships in libclang-rt-<ver>-dev on Debian
  cv=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
  cv=${cv:-14}
  dpkg-query -W -f='${Status}' "libclang-rt-$cv-dev" 2>/dev/null | grep -q "install ok installed" ||
    need+=("libclang-rt-$cv-dev")
fi
if [ ${#need[@]} -gt 0 ]; then
  stamp "installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
mkdir -p "$OUT"

setup() { # setup DIR ARGS...: configure (or reconfigure) a build directory
  local dir=$1
  shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}
build() { # build DIR [TARGET]: quiet unless it fails
  local log="$1/ci-extra-build.log"
  ninja -C "$@" -j2 >"$log" 2>&1 || { tail -n 60 "$log"; echo "ci-extra: build of $1 failed"; exit 1; }
}
suite_args() { for s in $1; do printf -- '--suite %s ' "$s"; done; }
tests_but() { # tests_but DIR "SUITES" "SKIP": the names of the suites' tests, minus SKIP
  # shellcheck disable=SC2046
  meson test -C "$1" --list $(suite_args "$2") 2>/dev/null | sed -n 's|^[^ ]* / ||p' |
    while read -r t; do [[ " $3 " == *" $t "* ]] || echo "$t"; done
}

# ---- 1. valgrind ----------------------------------------------------------------
if want valgrind; then
  stamp "valgrind: suites $VALGRIND_SUITES (without $VALGRIND_SKIP)"
  # -O1 keeps valgrind's report readable and the run short; no sanitizers
  setup "$OUT/valgrind" --werror -Dbuildtype=debug -Doptimization=1 -Dbench=false \
        -Dexamples=false -Dtools=false -Dpython=disabled
  build "$OUT/valgrind"
  # shellcheck disable=SC2046
  VALGRIND_OPTS="--suppressions=$PWD/tests/reliability/valgrind.supp" \
    meson test -C "$OUT/valgrind" --setup valgrind --num-processes 2 --print-errorlogs \
        $(tests_but "$OUT/valgrind" "$VALGRIND_SUITES" "$VALGRIND_SKIP")
fi

# ---- 2. ThreadSanitizer ---------------------------------------------------------
if want tsan; then
  stamp "ThreadSanitizer: suites $TSAN_SUITES"
  setup "$OUT/tsan" --werror -Db_sanitize=thread -Db_lundef=false -Dbench=false \
        -Dexamples=false -Dtools=false -Dpython=disabled
  build "$OUT/tsan"
  # shellcheck disable=SC2046
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" CK_FORK=no \
    meson test -C "$OUT/tsan" --num-processes 2 --print-errorlogs $(suite_args "$TSAN_SUITES")
  # shellcheck disable=SC2086
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" CK_FORK=no \
    meson test -C "$OUT/tsan" --print-errorlogs $TSAN_TESTS
fi

# ---- 3. fuzzing -------------------------------------------------------------------
if want fuzz; then
  stamp "fuzz: building the library with clang (coverage + ASan + UBSan)"
  fz="$OUT/fuzz"
  # the library instrumented for libFuzzer; only its static archive is needed
  CC=clang setup "$fz/lib" -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fsanitize=fuzzer-no-link -Dtests=false -Dbench=false -Dexamples=false \
        -Dtools=false -Dpython=disabled -Ddocs=disabled
  build "$fz/lib" lib/libctune_internal.a
  CFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
          -Iinclude -Ilib -I. -Itests/fuzz)
  for t in $FUZZ_TARGETS; do
    clang "${CFLAGS[@]}" "tests/fuzz/fuzz_$t.c" "$fz/lib/lib/libctune_internal.a" \
          -lblis -lm -lpthread -o "$fz/fuzz_$t"
  done
  stamp "fuzz: ${FUZZ_SECONDS}s per target, $FUZZ_JOBS at a time: $(echo $FUZZ_TARGETS)"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  run_target() { # run_target NAME: fuzzes a scratch copy of the corpus
    local t=$1
    local work="$fz/work/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/crashes"
    cp tests/fuzz/corpus/"$t"/* "$work/corpus/"
    local rc=0
    "$fz/fuzz_$t" "$work/corpus" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/crashes/" >"$work/log" 2>&1 || rc=$?
    local runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    echo "fuzz_$t: ${runs:-?} executions in ${FUZZ_SECONDS}s, exit $rc" >"$work/summary"
    if [ "$rc" -ne 0 ]; then
      # keep what crashed next to the seeds, for the fix and as a regression input
      for f in "$work"/crashes/*; do
        [ -e "$f" ] && cp "$f" "tests/fuzz/corpus/$t/$(basename "$f")"
      done
      tail -n 40 "$work/log" >>"$work/summary"
    fi
    return "$rc"
  }
  pids=() names=() failed=0
  for t in $FUZZ_TARGETS; do
    run_target "$t" &
    pids+=($!) names+=("$t")
    if [ ${#pids[@]} -ge "$FUZZ_JOBS" ]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  for t in "${names[@]}"; do cat "$fz/work/$t/summary"; done
  if [ "$failed" -ne 0 ]; then
    echo "fuzz: findings above; their inputs were copied to tests/fuzz/corpus/<target>/"
    exit 1
  fi
fi
stamp "ci-extra: ok"
