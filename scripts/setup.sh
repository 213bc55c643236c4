#!/usr/bin/env bash
# Installs what cnnc needs on a Debian 12 machine, skipping what is already
# there: Debian packages with apt-get, ONNX Runtime in .venv from PyPI.
# Sourced or run by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

debs=(
  cmake ninja-build ccache clang-19 lld-19 llvm-19-dev llvm-19-tools
  libmlir-19-dev mlir-19-tools libonnx-dev libonnx-testdata libprotobuf-dev
  protobuf-compiler libgtest-dev python3-venv python3-numpy python3-onnx
  python3-torch python3-torchvision libvulkan-dev mesa-vulkan-drivers
  spirv-tools glslang-tools
)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's torch is built against NumPy 1.x, so the venv keeps NumPy < 2 and
# sees Debian's torch/torchvision/onnx through --system-site-packages.
venv="$root/.venv"
if ! "$venv/bin/python" -c 'import onnxruntime' 2>/dev/null; then
  echo "setup: creating $venv with ONNX Runtime"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'numpy<2' 'onnxruntime>=1.17,<1.21'
fi

# ptxas (CUDA's PTX assembler, a PyPI package: no toolkit download) checks
# the CUDA target's PTX in the tests; nothing else needs it.
if ! ls "$venv"/lib/python3*/site-packages/nvidia/cuda_nvcc/bin/ptxas >/dev/null 2>&1; then
  echo "setup: installing ptxas (nvidia-cuda-nvcc-cu12) into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'nvidia-cuda-nvcc-cu12>=12.4,<13'
fi
