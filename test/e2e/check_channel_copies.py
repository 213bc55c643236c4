#!/usr/bin/env python3
"""Checks that the CPU code of a model has no copy that only moves channels.

Compiles MODEL.onnx to linalg with cnnc, runs the CPU bufferization pipeline
with cnnc-opt, and reads every copy left after the memory plan (where copies
are still linalg.copy ops, before they become loops). A copy whose target is a
view with the source's own spatial strides is a concat, split or shuffle
moving channels between buffers; the others are copies into padded buffers
(wider rows) and into the output arguments. Prints every copy with its kind;
exits 1 if any moves channels, or if there are more than --max-copies copies
in all.

    check_channel_copies.py --cnnc build/bin/cnnc --cnnc-opt build/bin/cnnc-opt
                            [--max-copies N] MODEL.onnx
"""

import argparse
import re
import subprocess
import sys

COPY = re.compile(r"linalg\.copy ins\(%\S+ : memref<([0-9x]+)xf32"
                  r"(?:, strided<\[[0-9, ]+\](?:, offset: \d+)?>)?>\) "
                  r"outs\(%\S+ : memref<([0-9x]+)xf32(?:, strided<\[([0-9, ]+)\](?:, offset: \d+)?>)?>\)")


def kind(line):
    m = COPY.search(line)
    if not m:
        return "unparsed"
    src = [int(d) for d in m.group(1).split("x")]
    if m.group(3) is None:
        return "whole buffer"  # into an output argument or a buffer of its own
    strides = [int(s) for s in m.group(3).split(",")]
    inner = 1
    dense = []
    for extent in reversed(src):
        dense.insert(0, inner)
        inner *= extent
    # Same strides as the source below the channel dim: rows and planes are
    # as long as the source's, so only the channel offset or stride differs.
    if len(src) == 4 and strides[1:] == dense[1:]:
        return "channel move"
    return "into padding"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cnnc", required=True)
    p.add_argument("--cnnc-opt", required=True)
    p.add_argument("--max-copies", type=int, help="fail if more copies than this are left")
    p.add_argument("model")
    args = p.parse_args(argv)
    linalg = subprocess.run([args.cnnc, args.model, "--emit=linalg", "-o", "-"], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    res = subprocess.run([args.cnnc_opt, "--cnnc-cpu-bufferize",
                          "--mlir-print-ir-after=cnnc-plan-memory", "-o", "/dev/null"],
                         input=linalg, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         check=True)
    copies = [line.strip() for line in res.stderr.splitlines() if "linalg.copy" in line]
    counts = {}
    bad = []
    for line in copies:
        k = kind(line)
        counts[k] = counts.get(k, 0) + 1
        if k in ("channel move", "unparsed"):
            bad.append(f"{k}: {line}")
    print(f"{len(copies)} copies: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for line in bad:
        print(line)
    if args.max_copies is not None and len(copies) > args.max_copies:
        print(f"more than {args.max_copies} copies")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
