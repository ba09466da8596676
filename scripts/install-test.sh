#!/usr/bin/env bash
# Installs ctune (shared and static library, MPI when found, the HTML
# reference when doxygen is found) into a temporary prefix and uses it from
# outside the tree as a consumer would:
#  - a C program built with `pkg-config --cflags --libs ctune` only, and one
#    linked fully statically with `pkg-config --static`;
#  - the C++ lecture (examples/lecture.cpp) against the installed ctune.hpp;
#  - a CMake project (tests/install/cmake) using find_package(ctune) and the
#    targets ctune::ctune, ctune::ctune_static, ctune::ctune_mpi;
#  - the installed ctune CLI, run without LD_LIBRARY_PATH (its RPATH);
# and checks the soname and that the library exports only ctune_ symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs=disabled
command -v doxygen >/dev/null 2>&1 && docs=enabled
meson setup "$tmp/build" --prefix="$tmp/prefix" -Dtests=false -Dbench=false -Dexamples=false \
  -Ddefault_library=both -Ddocs=$docs >/dev/null
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
libdir=$(dirname "$lib")
app_src=tests/install/app.c

# static: libctune.a and its private dependencies from Libs.private; the
# whole program static, libc and BLIS included
[ -f "$libdir/libctune.a" ] || { echo "install-test: libctune.a not installed"; exit 1; }
cc -std=c11 -static "$app_src" -o "$tmp/app_static" $(pkg-config --static --cflags --libs ctune)
if readelf -d "$tmp/app_static" 2>/dev/null | grep -q NEEDED; then
  echo "install-test: the -static program still needs shared libraries"; exit 1
fi
"$tmp/app_static"

# C++: the lecture against the installed ctune.hpp
c++ -std=c++17 -Wall -Wextra -pedantic -Werror examples/lecture.cpp -o "$tmp/lecture_cpp" \
    $(pkg-config --cflags --libs ctune) -Wl,-rpath,"$libdir"
"$tmp/lecture_cpp"

# CMake: find_package(ctune) from the prefix, shared, static and MPI targets
cmake -S tests/install/cmake -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCTUNE_LECTURE_CPP="$(pwd)/examples/lecture.cpp" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
"$tmp/cmake/app_shared"
[ -x "$tmp/cmake/app_static" ] || { echo "install-test: no ctune::ctune_static target"; exit 1; }
"$tmp/cmake/app_static"
if [ -n "$(find "$libdir" -maxdepth 1 -name 'libctune_mpi.so*')" ]; then
  [ -x "$tmp/cmake/app_mpi" ] || { echo "install-test: no ctune::ctune_mpi target"; exit 1; }
  "$tmp/cmake/app_mpi"
fi
"$tmp/cmake/lecture_cpp" >/dev/null

# the installed command line runs against the installed library through its
# RPATH: no LD_LIBRARY_PATH, no ldconfig
ctune=$(find "$tmp/prefix" -path '*/bin/ctune' | head -n 1)
[ -n "$ctune" ] || { echo "install-test: the ctune tool was not installed"; exit 1; }
readelf -d "$ctune" | grep -q "R.*PATH.*\[$libdir\]" ||
  { echo "install-test: the installed ctune has no RPATH to $libdir"; exit 1; }
env -u LD_LIBRARY_PATH "$ctune" --version
env -u LD_LIBRARY_PATH "$ctune" search --n-iter 2 --quiet

# the HTML reference, when doxygen is there
if [ "$docs" = enabled ]; then
  [ -f "$tmp/prefix/share/doc/ctune/html/index.html" ] ||
    { echo "install-test: no HTML reference under share/doc/ctune"; exit 1; }
fi

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
echo "install-test: ok (prefix install, pkg-config build, static build, C++ layer, CMake" \
     "package, soname, exported symbols, installed CLI with RPATH, docs $docs," \
     "installed and pip-installed Python package)"
