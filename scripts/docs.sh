#!/usr/bin/env bash
# Renders the API reference (include/ctune.h) with Doxygen and fails on any
# Doxygen warning (WARN_AS_ERROR=YES): an undocumented public symbol, a
# malformed command, a parameter name that does not exist, ...; and on a
# declaration of include/*.h outside every Doxygen group (module).
# Installs doxygen first when it is missing (idempotent, non-interactive;
# root or sudo needed only then).
# Usage: scripts/docs.sh [OUT_DIR]      (default: build-docs; HTML in OUT_DIR/html)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
out=${1:-build-docs}

if ! command -v doxygen >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends doxygen
  command -v doxygen >/dev/null 2>&1 || { echo "docs: doxygen is not installed" >&2; exit 1; }
fi

# Every declaration of the C headers belongs to a Doxygen group (one per
# module, docs/api-conventions.md): Doxygen itself does not warn about a
# declaration left outside every group, which would be missing from the
# Modules page.
ungrouped=$(awk '
  FNR == 1 { depth = 0 }
  /@\{/ { depth++ }
  /@\}/ { depth-- }
  depth == 0 && /^(CTUNE_API|CTUNE_MPI_API|typedef|enum) / { print FILENAME ":" FNR ": " $0 }
' include/*.h)
if [ -n "$ungrouped" ]; then
  echo "$ungrouped" >&2
  echo "docs: FAILED: declarations outside every @defgroup ... @{ ... @} (listed above)" >&2
  exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n "s/^  version: '\([^']*\)'.*/\1/p" meson.build | head -n 1)

# docs/Doxyfile.in with the values meson's configure_file() gives it.
render() {
  sed -e "s|@VERSION@|$version|" -e "s|@SRCDIR@|$src|" -e "s|@OUTDIR@|$out|" \
      -e "s|@WARN_AS_ERROR@|$1|" docs/Doxyfile.in > "$out/Doxyfile"
}

render YES
if doxygen "$out/Doxyfile" 2> "$out/doxygen.log" && [ ! -s "$out/doxygen.log" ]; then
  echo "docs: API reference in $out/html/index.html (doxygen $(doxygen --version), no warnings)"
  exit 0
fi
# WARN_AS_ERROR=YES stops at the first warning: run again without it to
# list every warning at once.
render NO
doxygen "$out/Doxyfile" 2> "$out/doxygen.log" || true
cat "$out/doxygen.log" >&2
echo "docs: FAILED: $(grep -c 'warning:\|error:' "$out/doxygen.log") doxygen warning(s)," \
     "listed above (also in $out/doxygen.log)" >&2
exit 1
