#!/usr/bin/env python3
"""Counts the kinds of GPU kernels cnnc makes of a model (--target=vulkan).

Compiles MODEL.onnx with `cnnc --target=vulkan --emit=gpu` and sorts every
outlined kernel (gpu.func) by what its body computes:

  reduction  has a loop (scf.for): a convolution, pool, matrix product or
             reduction, with whatever was fused into it
  pointwise  float arithmetic but no loop: an element-wise op of its own
  move       no float arithmetic at all: it only moves data (a copy, a
             broadcast, a fill)

and counts the reduction kernels that contain OP (for example arith.minimumf,
the clip of a fused ReLU6). Prints the counts; exits 1 if a count is outside
the bounds given:

    check_gpu_kernels.py --cnnc build/bin/cnnc MODEL.onnx
        [--max-move N] [--max-pointwise N] [--contains OP=N]...
"""

import argparse
import re
import subprocess
import sys

FLOAT_OP = re.compile(r"= (arith\.[a-z]+f|math\.[a-z]+)\b")


def classify(gpu_ir):
    kernels = []
    for body in re.split(r"\n\s*gpu\.module @", gpu_ir)[1:]:
        name = body.split()[0]
        has_loop = "scf.for" in body
        has_float = bool(FLOAT_OP.search(body))
        kind = "reduction" if has_loop else "pointwise" if has_float else "move"
        kernels.append((name, kind, body))
    return kernels


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cnnc", required=True)
    p.add_argument("--max-move", type=int)
    p.add_argument("--max-pointwise", type=int)
    p.add_argument("--contains", action="append", default=[], metavar="OP=N",
                   help="at least N reduction kernels contain OP")
    p.add_argument("model")
    args = p.parse_args(argv)
    gpu = subprocess.run([args.cnnc, args.model, "--target=vulkan", "--emit=gpu", "-o", "-"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    kernels = classify(gpu)
    counts = {k: sum(1 for _, kind, _ in kernels if kind == k)
              for k in ("reduction", "pointwise", "move")}
    print(f"{len(kernels)} kernels: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    ok = bool(kernels)
    for bound, kind in ((args.max_move, "move"), (args.max_pointwise, "pointwise")):
        if bound is not None and counts[kind] > bound:
            print(f"FAIL: {counts[kind]} {kind} kernels > {bound}")
            ok = False
    for spec in args.contains:
        op, n = spec.rsplit("=", 1)
        have = sum(1 for _, kind, body in kernels if kind == "reduction" and f"= {op} " in body)
        print(f"{have} reduction kernels contain {op}")
        if have < int(n):
            print(f"FAIL: fewer than {n}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
