#!/usr/bin/env bash
# Installs what is missing, builds cnnc and runs every test suite (lit:
# FileCheck tests, the GoogleTest binaries and the end-to-end model tests,
# on the CPU and on Vulkan through Mesa's lavapipe).
#
#   scripts/test.sh [lit options]
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
# lit pads the labels ("  Passed     : 220") when there are several kinds.
count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | tail -1; }
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + $(count Unresolved || true) + $(count 'Unexpectedly Passed' || true) + 0 ))
# UNSUPPORTED lit tests (no device) and skipped GoogleTest cases.
skipped=$(( $(count Unsupported || true) + $(count Skipped || true) + 0 ))
# How many ran on Vulkan: the tests that need a Vulkan device.
vulkan=$(grep -lE '^# REQUIRES:.*\bvulkan\b' -r test --include='*.test' | wc -l)
if grep -q '^vulkan:' <(build/bin/cnnc-run --list-devices 2>/dev/null); then
  echo "vulkan: $vulkan test files ran on $(build/bin/cnnc-run --list-devices | grep -m1 '^vulkan:')"
else
  echo "vulkan: no Vulkan device, $vulkan test files skipped"
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
