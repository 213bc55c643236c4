"""Runs `spirv-val --target-env vulkan1.1` on every .spv file in a folder.

Usage: spirv_val_all.py DIR
Prints 'valid NAME' for each file, then 'N kernels valid'; exits 1 if any
file fails (with spirv-val's message) or if the folder has none.
"""
import glob
import os
import subprocess
import sys

files = sorted(glob.glob(os.path.join(sys.argv[1], "*.spv")))
failed = 0
for f in files:
    r = subprocess.run(["spirv-val", "--target-env", "vulkan1.1", f],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode != 0:
        failed += 1
        print("INVALID %s: %s" % (os.path.basename(f), r.stdout.strip()))
    else:
        print("valid %s" % os.path.basename(f))
print("%d kernels valid" % (len(files) - failed))
sys.exit(1 if failed or not files else 0)
