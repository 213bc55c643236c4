# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "cnnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in",
                   "unit"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Before the default substitutions' own %python (the interpreter running lit).
config.substitutions.insert(0, ("%python", config.python_executable))
for tool in ["cnnc-opt", "cnnc-run", "cnnc-bench", "cnnc"]:
    config.substitutions.append(
        ("%" + tool, os.path.join(config.cnnc_tools_dir, tool)))
llvm_config.add_tool_substitutions(
    ["cnnc-opt", "cnnc-run", "cnnc-bench", "cnnc"], [config.cnnc_tools_dir])

import platform
# Tests that name x86 CPUs (--mcpu=haswell, ...) need an x86-64 host.
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64")

# Tests that run on Vulkan need a Vulkan device (Mesa's lavapipe counts):
# without one they are reported UNSUPPORTED (skipped), never passed.
import subprocess
try:
    _devices = subprocess.run(
        [os.path.join(config.cnnc_tools_dir, "cnnc-run"), "--list-devices"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        universal_newlines=True, timeout=60).stdout
except (OSError, subprocess.SubprocessError):
    _devices = ""
if any(line.startswith("vulkan:") for line in _devices.splitlines()):
    config.available_features.add("vulkan")
# spirv-val (SPIRV-Tools) checks every emitted kernel.
import shutil
if shutil.which("spirv-val"):
    config.available_features.add("spirv-tools")
# The CUDA target: tests that run kernels need an NVIDIA GPU and its driver
# (cnnc-run lists a cuda:N device); without one they are UNSUPPORTED
# (skipped). ptxas (PyPI's nvidia-cuda-nvcc-cu12 in the venv that
# scripts/setup.sh makes) assembles the PTX without a GPU.
if any(line.startswith("cuda:") for line in _devices.splitlines()):
    config.available_features.add("cuda")
import glob
_ptxas = os.environ.get("CNNC_PTXAS") or next(iter(sorted(glob.glob(os.path.join(
    os.path.dirname(os.path.dirname(config.python_executable)), "lib", "python3*",
    "site-packages", "nvidia", "cuda_nvcc", "bin", "ptxas")))), None)
if _ptxas and os.access(_ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
