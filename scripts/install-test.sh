#!/usr/bin/env bash
# Installs ctune into a temporary prefix and builds a program outside the
# tree with `pkg-config --cflags --libs ctune` only; checks the soname and
# that the library exports only ctune_ symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson setup "$tmp/build" --prefix="$tmp/prefix" -Dtests=false -Dbench=false -Dexamples=false \
  -Dmpi=disabled >/dev/null
ninja -C "$tmp/build" >/dev/null
meson install -C "$tmp/build" >/dev/null
lib=$(find "$tmp/prefix" -name 'libctune.so.1' | head -n 1)
[ -n "$lib" ] || { echo "install-test: libctune.so.1 not installed"; exit 1; }
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
[ "$soname" = "libctune.so.1" ] || { echo "install-test: soname is '$soname'"; exit 1; }
tests/api/check_symbols.sh "$lib"
[ -n "$(find "$tmp/prefix" -name ctune_testing.h)" ] || { echo "install-test: ctune_testing.h not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$(find "$tmp/prefix" -name ctune.pc | head -n 1)")"
cat > "$tmp/app.c" <<'APP'
#include <ctune.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    double X[8] = {0, 0, 0, 1, 1, 0, 1, 1}, y[4] = {0, 1, 1, 1};
    ctune_data *d;
    if (ctune_data_new(&d, X, CTUNE_FLOAT64, 4, 2, 0, y, 1) != CTUNE_OK) {
        fprintf(stderr, "%s\n", ctune_last_error());
        return 1;
    }
    printf("ctune %s: %zu rows\n", ctune_version_string(), ctune_data_n_rows(d));
    ctune_data_free(d);
    return strcmp(ctune_version_string(), "") == 0;
}
APP
cc -std=c99 -Wall -Wextra -Werror -pedantic "$tmp/app.c" -o "$tmp/app" $(pkg-config --cflags --libs ctune) \
   -Wl,-rpath,"$(dirname "$lib")"
"$tmp/app"
# the installed command line runs against the installed library
ctune=$(find "$tmp/prefix" -path '*/bin/ctune' | head -n 1)
[ -n "$ctune" ] || { echo "install-test: the ctune tool was not installed"; exit 1; }
LD_LIBRARY_PATH="$(dirname "$lib")" "$ctune" --version
LD_LIBRARY_PATH="$(dirname "$lib")" "$ctune" search --n-iter 2 --quiet
# the installed Python package finds the installed library by itself
site=$(dirname "$(dirname "$(find "$tmp/prefix" -path '*/ctune/_install.py' | head -n 1)")")
[ -d "$site/ctune" ] || { echo "install-test: the Python package was not installed"; exit 1; }
(cd "$tmp" && env -u CTUNE_LIBRARY PYTHONPATH="$site" /usr/bin/python3 -c '
import ctune, sys
lib = ctune._native.lib._name
assert lib.startswith(sys.argv[1]), lib
print("installed package: ctune", ctune.version(), "from", lib)' "$tmp/prefix")
# pip install . into a venv: meson-python builds the library into the wheel
# (nothing is downloaded; -O0 keeps the build short)
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/pip" install -q --no-build-isolation --no-deps --no-index \
  --config-settings=setup-args=-Doptimization=0 . >/dev/null
(cd "$tmp" && env -u CTUNE_LIBRARY -u PYTHONPATH "$tmp/venv/bin/python" -c '
import os, ctune, sys
lib = ctune._native.lib._name
assert lib == os.path.join(os.path.dirname(ctune.__file__), "libctune.so"), lib
X, y = ctune.load_dataset("iris", return_X_y=True)
assert ctune.DecisionTreeClassifier(max_depth=3).fit(X, y).score(X, y) > 0.9
import importlib.metadata as md
assert md.version("ctune") == ctune.version(), (md.version("ctune"), ctune.version())
print("pip-installed package: ctune", ctune.version(), "from", lib)')
readelf -d "$(find "$tmp/venv" -name libctune.so | head -n 1)" | grep -q 'R.*PATH.*\[\$ORIGIN\]' \
  || { echo "install-test: the wheel's library has no \$ORIGIN rpath"; exit 1; }
echo "install-test: ok (prefix install, pkg-config build, soname, exported symbols, installed CLI, installed and pip-installed Python package)"
