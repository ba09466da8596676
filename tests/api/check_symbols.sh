#!/usr/bin/env bash
# Fails when the shared library exports a symbol that is not public API
# (ctune_* but not the internal ctune__*).
set -euo pipefail
lib=$1
syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
bad=$(printf '%s\n' "$syms" | grep -v -E '^ctune_[a-z0-9]' || true)
internal=$(printf '%s\n' "$syms" | grep -E '^ctune__' || true)
if [ -n "$bad$internal" ]; then
  echo "non-API symbols exported by $lib:"
  printf '%s\n' $bad $internal
  exit 1
fi
n=$(printf '%s\n' "$syms" | wc -l)
echo "check_symbols: $n exported symbols, all ctune_*"
