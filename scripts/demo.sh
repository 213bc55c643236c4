#!/usr/bin/env bash
# Builds cnnc and runs the demo: a torchvision CNN compiled with cnnc for the
# CPU, checked against ONNX Runtime and timed side by side with it.
# Arguments go to scripts/demo.py (--model, --bin-dir, --out, --reps, --threads).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/build.sh
.venv/bin/python scripts/demo.py "$@"
