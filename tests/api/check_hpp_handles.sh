#!/usr/bin/env bash
# Fails when a handle type of the C headers (a type T with a
# `void T_free(T *)`) has no CTUNE_HPP_HANDLE(T, T_free) line in ctune.hpp,
# so ctune::make() and ctune::handle<T> cover every handle the C API has.
# Usage: check_hpp_handles.sh INCLUDE_DIR
set -euo pipefail
inc=$1
types=$(cat "$inc"/ctune*.h | tr -s ' \n' ' ' |
        grep -o 'void ctune_[a-z0-9_]*_free( *ctune_[a-z0-9_]* \*' |
        sed 's/void \(ctune_[a-z0-9_]*\)_free( *\(ctune_[a-z0-9_]*\) \*/\1 \2/' |
        awk '$1 == $2 {print $1}' | sort -u)
missing=0
for t in $types; do
  if ! grep -q "^CTUNE_HPP_HANDLE($t, ${t}_free)" "$inc/ctune.hpp"; then
    echo "ctune.hpp: no CTUNE_HPP_HANDLE($t, ${t}_free)"
    missing=$((missing + 1))
  fi
done
[ "$missing" -eq 0 ] || exit 1
echo "check_hpp_handles: $(printf '%s\n' $types | wc -l) handle types, all in ctune.hpp"
