#!/usr/bin/env bash
# Installs what is missing, builds cnnc and runs every test suite (lit:
# FileCheck tests, the GoogleTest binaries and the end-to-end model tests).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
log=build/lit-results.txt
set +e
.venv/bin/python /usr/lib/llvm-19/build/utils/lit/lit.py -sv \
  build/test build/test/unit "$@" | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# A closing line CI can read: "N passed, N failed, N skipped".
count() { sed -n "s/^ *$1: *\([0-9]*\).*/\1/p" "$log" | tail -1; }
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + 0 ))
skipped=$(( $(count Unsupported || true) + 0 ))
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
