#!/usr/bin/env bash
# Installs what ctune needs to build and test on Debian/Ubuntu (idempotent,
# non-interactive). Run as root (or with sudo available).
set -euo pipefail
PKGS=(meson ninja-build pkg-config gcc g++ check libblis-openmp-dev python3 python3-numpy
      libopenmpi-dev openmpi-bin abigail-tools
      libsqlite3-dev # durable studies (meson feature `studies`)
      locales-all  # tests: a host under a decimal-comma locale (de_DE.UTF-8)
      python3-sklearn python3-scipy python3-pandas python3-mesonpy python3-venv python3-pip)
# tests only: the HTML report is opened in a headless browser (tests/cli/test_report_browser.py)
PKGS+=(chromium)
# CI: the formatting check (scripts/format.sh --check)
PKGS+=(clang-format)
[ "${CTUNE_DEPS_EXTRA:-}" ] && PKGS+=(${CTUNE_DEPS_EXTRA})
# scripts/install-test.sh builds a CMake project against the installed ctune
PKGS+=(cmake)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
