#!/usr/bin/env bash
# Checks the house rule for commit messages (CONTRIBUTING.md) on every
# commit after BASE: a subject of at most 72 characters and, for a commit
# that is not a merge, a body that says why. Commits up to BASE (this
# script's own introduction) are history and are not checked.
# Usage: scripts/check-commits.sh [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-$(git log -n 1 --format=%H --diff-filter=A -- scripts/check-commits.sh)}
if [ -z "$base" ] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "check-commits: skipped: the commit that added this script is not in this clone's history"
  exit 0
fi
bad=0
while read -r c; do
  subject=$(git log -n 1 --format=%s "$c")
  if [ "${#subject}" -gt 72 ]; then
    echo "check-commits: ${c:0:10}: subject has ${#subject} characters (at most 72): $subject"
    bad=1
  fi
  parents=$(git log -n 1 --format=%P "$c" | wc -w)
  body=$(git log -n 1 --format=%b "$c" | tr -d '[:space:]')
  if [ "$parents" -le 1 ] && [ -z "$body" ]; then
    echo "check-commits: ${c:0:10}: no body saying why: $subject"
    bad=1
  fi
done < <(git rev-list "$base..HEAD")
n=$(git rev-list --count "$base..HEAD")
[ $bad -eq 0 ] && echo "check-commits: $n commit(s) after ${base:0:10}: subjects <= 72 characters, bodies present"
exit $bad
