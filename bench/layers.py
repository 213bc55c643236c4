#!/usr/bin/env python3
"""Where a network's time goes: each layer alone, cnnc against ONNX Runtime.

Exports a network (seeded random weights, calibrated BatchNorm kept, batch 1,
opset 13) and cuts it into segments: an op together with the BatchNorm and
activation ops that follow it alone (what cnnc's graph passes fuse into it).
Each segment is extracted as a model of its own, compiled with cnnc, checked
against ONNX Runtime and timed, with ONNX Runtime timing the same segment in
the same round (one thread, medians). The table lists the segments by cnnc
time; the sums are beside the whole network's times, which they only
approximate (a segment alone reads its inputs cold and cnnc cannot fuse
across segments, e.g. a residual add into the conv before it).

    bench/layers.py [--model squeezenet1_1] [--size 224] [--reps 50] [--top 20]
                    [--bin-dir build/bin] [--out DIR]
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import cnnc_models  # noqa: E402

# Ops a conv's epilogue absorbs when they follow it alone.
FOLLOWERS = {"BatchNormalization", "Relu", "Clip", "HardSwish", "HardSigmoid", "Sigmoid",
             "LeakyRelu", "Tanh"}


def run(argv):
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(argv)}\n{res.stdout}")
    return res.stdout


def segments(graph):
    """Lists (nodes, inputs, output) per segment, in graph order."""
    inits = {i.name for i in graph.initializer}
    users = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    graph_outputs = {o.name for o in graph.output}
    absorbed, result = set(), []
    for node in graph.node:
        if id(node) in absorbed or node.op_type in ("Constant", "Identity"):
            continue
        nodes = [node]
        while True:
            out = nodes[-1].output[0]
            nxt = users.get(out, [])
            if (len(nxt) != 1 or out in graph_outputs or nxt[0].op_type not in FOLLOWERS
                    or nxt[0].input[0] != out):
                break
            nodes.append(nxt[0])
            absorbed.add(id(nxt[0]))
        ins = [n for n in node.input if n and n not in inits]
        result.append((nodes, ins, nodes[-1].output[0]))
    return result


def main(argv=None):
    import onnx
    import onnx.utils

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="squeezenet1_1")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--reps", type=int, default=50)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--out", default="/tmp/cnnc-bench-layers")
    args = p.parse_args(argv)
    cnnc, bench, cnnc_run = (os.path.join(args.bin_dir, t)
                             for t in ("cnnc", "cnnc-bench", "cnnc-run"))
    wd = os.path.join(args.out, args.model)
    os.makedirs(wd, exist_ok=True)
    shape = (1, 3, args.size, args.size)
    whole = os.path.join(wd, "model.onnx")
    cnnc_models.export(cnnc_models.build(args.model, seed=0), whole, shape, 13,
                       keep_batchnorm=True)
    model = onnx.shape_inference.infer_shapes(onnx.load(whole))
    onnx.save(model, whole)
    x = cnnc_models.make_input(shape, 0)
    x_path = os.path.join(wd, "input.npy")
    np.save(x_path, x)

    def timed(onnx_path, inputs, paths):
        so = onnx_path[:-5] + ".so"
        run([cnnc, onnx_path, "-o", so])
        y = os.path.join(os.path.dirname(onnx_path), "out.npy")
        run([cnnc_run, so, "--output=@" + y] + ["--input=@" + q for q in paths])
        ok, stats = cnnc_models.compare(np.load(y), cnnc_models.ort_run(onnx_path, inputs)[0])
        if not ok:
            sys.exit(f"{onnx_path}: cnnc differs from ONNX Runtime: {stats}")
        out = run([bench, so, "--warmup=5", f"--reps={args.reps}", "--threads=1"]
                  + ["--input=@" + q for q in paths])
        mine = float(re.search(r"median_ms=([0-9.]+)", out).group(1))
        ort = cnnc_models.ort_bench(onnx_path, inputs, threads=1, warmup=5,
                                    reps=args.reps)["median_ms"]
        return mine, ort

    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(model.graph.value_info) + list(model.graph.input)}
    extractor = onnx.utils.Extractor(model)
    rows = []
    for i, (nodes, ins, out) in enumerate(segments(model.graph)):
        path = os.path.join(wd, f"seg{i:03d}.onnx")
        onnx.save(extractor.extract_model(ins, [out]), path)
        inputs = [cnnc_models.make_input(shapes[n], 1 + k) for k, n in enumerate(ins)]
        paths = []
        for k, a in enumerate(inputs):
            paths.append(os.path.join(wd, f"seg{i:03d}-in{k}.npy"))
            np.save(paths[-1], a)
        mine, ort = timed(path, inputs, paths)
        ops = "+".join(n.op_type for n in nodes)
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in nodes[0].attribute}
        what = ""
        if nodes[0].op_type == "Conv":
            w = [t for t in model.graph.initializer if t.name == nodes[0].input[1]][0]
            what = (f"{w.dims[1] * attrs.get('group', 1)}->{w.dims[0]} "
                    f"{w.dims[2]}x{w.dims[3]}/{attrs.get('strides', [1])[0]} g{attrs.get('group', 1)}")
        rows.append((mine, ort, ops, what, "x".join(map(str, shapes[ins[0]])) if ins else ""))
    whole_mine, whole_ort = timed(whole, [x], [x_path])

    print(f"{args.model}, batch 1, {args.size}x{args.size}, 1 thread, median of {args.reps} runs, "
          f"{len(rows)} segments, slowest first (ms)")
    print(f"{'cnnc':>7s} {'ORT':>7s} {'ratio':>6s}  {'ops':34s} {'conv':22s} input")
    for mine, ort, ops, what, inp in sorted(rows, key=lambda r: -r[0])[:args.top]:
        print(f"{mine:7.3f} {ort:7.3f} {mine / ort:6.2f}  {ops[:34]:34s} {what:22s} {inp}")
    sm, so_ = sum(r[0] for r in rows), sum(r[1] for r in rows)
    print(f"{sm:7.3f} {so_:7.3f} {sm / so_:6.2f}  sum over segments")
    print(f"{whole_mine:7.3f} {whole_ort:7.3f} {whole_mine / whole_ort:6.2f}  whole network")
    by_op = {}
    for mine, ort, ops, _, _ in rows:
        t = by_op.setdefault(ops.split("+")[0], [0.0, 0.0, 0])
        t[0] += mine
        t[1] += ort
        t[2] += 1
    print("by first op: " + ", ".join(f"{k} x{v[2]} {v[0]:.2f}/{v[1]:.2f}"
                                      for k, v in sorted(by_op.items(), key=lambda kv: -kv[1][0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
