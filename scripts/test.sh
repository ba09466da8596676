#!/usr/bin/env bash
# Installs the dependencies, builds ctune with warnings as errors and runs
# the whole test suite. Usage: scripts/test.sh [BUILD_DIR [MESON_SETUP_ARGS...]]
#   scripts/test.sh                                   # build/
#   scripts/test.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dir=${1:-build}
shift || true
if [ -d "$dir" ]; then
  meson setup --reconfigure "$dir" --werror "$@" >/dev/null
else
  meson setup "$dir" --werror "$@" >/dev/null
fi
ninja -C "$dir" -j"$(nproc)"
meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)"
