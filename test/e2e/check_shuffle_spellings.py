#!/usr/bin/env python3
"""ShuffleNet channel routing as exporters spell it, folded by cnnc.

Each case is a small ShuffleNet-style unit: producer convs, a Concat, the
channel shuffle as Reshape -> Transpose -> Reshape with g groups, and the
channel split as a Split (attribute, input, or equal parts) or a pair of
Slices, each part read by a 1x1 conv. Every case is compiled by cnnc at the
default level, run, and compared with ONNX Runtime (check_ops.check), and its
`cnnc --stats` must show that the graph passes left no Reshape, Transpose,
Slice or Split and no channel_permute: the routing went into the producers
(split by destination) and the consumers (filters permuted). Negative cases
(a transpose that is not a channel shuffle, a shuffle whose result is a graph
output) must still be correct and must keep what they cannot fold.

    check_shuffle_spellings.py --cnnc build/bin/cnnc --cnnc-run build/bin/cnnc-run --workdir DIR
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_ops  # noqa: E402
from check_ops import Case, ints, node, rand  # noqa: E402

MOVERS = ("cnn.reshape", "cnn.transpose", "cnn.slice", "cnn.split", "cnn.channel_permute")
INT64_MAX = np.iinfo(np.int64).max


def unit(name, opset, groups, split, channels=12, hw=5):
    """x -> `groups` convs -> Concat -> shuffle(groups) -> split -> 1x1 convs."""
    per = channels // groups
    inits = {"x_w": rand(channels, 3, 1, 1, seed=1)}
    nodes = []
    parts = []
    for g in range(groups):
        inits[f"w{g}"] = rand(per, channels, 1, 1, seed=10 + g)
        inits[f"b{g}"] = rand(per, seed=20 + g)
        nodes.append(node("Conv", ["x1", f"w{g}", f"b{g}"], [f"p{g}"]))
        nodes.append(node("Relu", [f"p{g}"], [f"relu{g}"]))
        parts.append(f"relu{g}")
    nodes.insert(0, node("Conv", ["x", "x_w"], ["x1"]))
    nodes.append(node("Concat", parts, ["cat"], axis=1))
    inits["s5"] = ints(1, groups, per, hw, hw)
    inits["s4"] = ints(1, -1, hw, hw)
    nodes += [node("Reshape", ["cat", "s5"], ["grouped"]),
              node("Transpose", ["grouped"], ["swapped"], perm=[0, 2, 1, 3, 4]),
              node("Reshape", ["swapped", "s4"], ["shuf"])]
    halves = ["h0", "h1"]
    half = channels // 2
    if split == "split-attr":
        nodes.append(node("Split", ["shuf"], halves, axis=1, split=[half, half]))
    elif split == "split-input":
        inits["sp"] = ints(half, half)
        nodes.append(node("Split", ["shuf", "sp"], halves, axis=1))
    elif split == "split-equal":
        nodes.append(node("Split", ["shuf"], halves, axis=1))
    elif split == "slice-attrs":
        nodes += [node("Slice", ["shuf"], ["h0"], starts=[0], ends=[half], axes=[1]),
                  node("Slice", ["shuf"], ["h1"], starts=[half], ends=[INT64_MAX], axes=[1])]
    else:  # slice-inputs
        inits.update(st0=ints(0), en0=ints(half), st1=ints(half), en1=ints(channels), ax=ints(1))
        nodes += [node("Slice", ["shuf", "st0", "en0", "ax"], ["h0"]),
                  node("Slice", ["shuf", "st1", "en1", "ax"], ["h1"])]
    outputs = []
    for i, h in enumerate(halves):
        inits[f"c{i}"] = rand(4, half, 1, 1, seed=30 + i)
        nodes.append(node("Conv", [h, f"c{i}"], [f"y{i}"]))
        outputs.append(f"y{i}")
    return Case(name, opset, nodes, {"x": rand(1, 3, hw, hw, seed=2)}, inits, outputs)


def cases():
    c = [unit(f"g2-{s}-op{o}", o, 2, s)
         for s, o in (("split-attr", 11), ("split-input", 13), ("split-equal", 13),
                      ("slice-attrs", 9), ("slice-inputs", 13))]
    c += [unit(f"g{g}-split-input-op13", 13, g, "split-input", channels=24)
          for g in (3, 4, 8)]
    return c


def negative_cases():
    """(case, op kinds that must remain after the graph passes)."""
    x = rand(1, 8, 3, 4, seed=3)
    spatial = Case("transpose-spatial-op13", 13, [
        node("Reshape", ["x", "s5"], ["r"]),
        node("Transpose", ["r"], ["t"], perm=[0, 1, 2, 4, 3]),
        node("Reshape", ["t", "s4"], ["y"])], {"x": x},
        {"s5": ints(1, 2, 4, 3, 4), "s4": ints(1, 8, 4, 3)})
    returned = Case("shuffle-returned-op13", 13, [
        node("Reshape", ["x", "s5"], ["r"]),
        node("Transpose", ["r"], ["t"], perm=[0, 2, 1, 3, 4]),
        node("Reshape", ["t", "s4"], ["y"])], {"x": x},
        {"s5": ints(1, 4, 2, 3, 4), "s4": ints(1, 8, 3, 4)})
    return [(spatial, {"cnn.reshape", "cnn.transpose"}), (returned, {"cnn.channel_permute"})]


def after_counts(args, case):
    wd = os.path.join(args.workdir, re.sub(r"[^A-Za-z0-9_.-]", "_", case.name))
    res = subprocess.run([args.cnnc, os.path.join(wd, "model.onnx"), "--stats", "--emit=cnn-opt",
                          "-o", os.devnull], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=120)
    counts = {}
    for line in res.stdout.splitlines():
        m = re.match(r"(cnn\.\w+)\s+(\d+)\s+(\d+)$", line.strip())
        if m:
            counts[m.group(1)] = int(m.group(3))
    return counts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cnnc", required=True)
    p.add_argument("--cnnc-run", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--target", choices=("cpu", "vulkan", "cuda"), default="cpu",
                   help="cnnc target and cnnc-run device")
    args = p.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    failed = []
    runs = [(case, set()) for case in cases()] + negative_cases()
    for case, kept in runs:
        ok, note = check_ops.check(case, args)
        if ok:
            counts = after_counts(args, case)
            left = {op: n for op, n in counts.items() if op in MOVERS and n}
            if set(left) != kept:
                ok = False
                note += f"; after the passes: {left or 'nothing'}, expected {sorted(kept) or 'nothing'}"
            else:
                note += f"; left after the passes: {left or 'nothing'}"
        print(f"{'PASS' if ok else 'FAIL'} {case.name}: {note}", flush=True)
        if not ok:
            failed.append(case.name)
    print(f"{len(runs) - len(failed)} of {len(runs)} cases passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
