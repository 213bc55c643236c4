#!/usr/bin/env python3
"""Single-operator numerical tests: one tiny ONNX model per case.

Each case is an operator at one opset with one set of attributes (or
attribute inputs). The model is built with onnx.helper, compiled with cnnc,
run with cnnc-run, and compared with ONNX Runtime normwise:
max|out - ref| <= atol + rtol * max|ref| (atol 1e-5, rtol 1e-4).

    check_ops.py --cnnc build/bin/cnnc --cnnc-run build/bin/cnnc-run \
        --workdir /tmp/ops [--filter Softmax] [--target cpu|vulkan]

Prints one line per case and a summary; exits 1 if any case fails.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnnc_models  # noqa: E402

INT64_MAX = np.iinfo(np.int64).max


class Case:
    def __init__(self, name, opset, nodes, inputs, inits=None, outputs=("y",), error=None):
        self.name = name
        self.error = error  # expected cnnc diagnostic; the model must not compile
        self.opset = opset
        self.nodes = nodes
        self.inputs = inputs  # name -> float32 array (graph inputs)
        self.inits = inits or {}  # name -> array (initializers)
        self.outputs = list(outputs)

    def model(self):
        graph = helper.make_graph(
            self.nodes, "g",
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape)
             for n, a in self.inputs.items()],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, None)
             for n in self.outputs],
            [numpy_helper.from_array(a, n) for n, a in self.inits.items()])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])


def rand(*shape, scale=1.0, seed=0):
    rng = np.random.default_rng(seed + sum(shape))
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def ints(*values):
    return np.array(values, dtype=np.int64)


def node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **attrs)


def unary(op, opset, x=None, tag="", **attrs):
    x = rand(2, 3, 4, 5, scale=3.0) if x is None else x
    return Case(f"{op}{tag}-op{opset}", opset, [node(op, ["x"], **attrs)], {"x": x})


def cases():
    c = []
    x4 = rand(2, 3, 4, 5, scale=2.0)

    # Element-wise activations.
    c.append(unary("Sigmoid", 6))
    c.append(unary("Sigmoid", 13, x=rand(1, 4, 3, 3, scale=40.0), tag="-large"))
    c.append(unary("Tanh", 6))
    c.append(unary("Tanh", 13, x=rand(1, 4, 3, 3, scale=30.0), tag="-large"))
    c.append(unary("LeakyRelu", 6))
    c.append(unary("LeakyRelu", 16, tag="-alpha0.2", alpha=0.2))
    c.append(unary("HardSigmoid", 6))
    c.append(unary("HardSigmoid", 6, tag="-a0.3-b0.4", alpha=0.3, beta=0.4))
    c.append(unary("HardSwish", 14))
    for opset in (7, 9, 16):
        c.append(Case(f"PRelu-channel-const-op{opset}", opset,
                      [node("PRelu", ["x", "s"])], {"x": x4},
                      {"s": rand(3, 1, 1, seed=1)}))
    c.append(Case("PRelu-scalar-const-op9", 9, [node("PRelu", ["x", "s"])], {"x": x4},
                  {"s": np.array([0.25], dtype=np.float32)}))
    c.append(Case("PRelu-channel-input-op16", 16, [node("PRelu", ["x", "s"])],
                  {"x": x4, "s": rand(3, 1, 1, seed=2)}))
    for tag, opset, nodes, inits in [
            ("attrs", 6, [node("Clip", ["x"], min=-1.0, max=2.0)], {}),
            ("inputs", 11, [node("Clip", ["x", "lo", "hi"])],
             {"lo": np.array(-0.5, np.float32), "hi": np.array(1.5, np.float32)}),
            ("min-only", 13, [node("Clip", ["x", "lo"])], {"lo": np.array(0.0, np.float32)}),
            ("max-only", 13, [node("Clip", ["x", "", "hi"])], {"hi": np.array(6.0, np.float32)})]:
        c.append(Case(f"Clip-{tag}-op{opset}", opset, nodes, {"x": x4}, inits))

    # Binary with broadcasting, Sum.
    for op in ("Sub", "Div", "Add", "Mul"):
        c.append(Case(f"{op}-broadcast-op13", 13, [node(op, ["x", "b"])],
                      {"x": x4, "b": rand(3, 1, 5, seed=3) + 3.0}))
        c.append(Case(f"{op}-const-rhs-op7", 7, [node(op, ["b", "x"])], {"x": x4 + 10.0},
                      {"b": rand(5, seed=4)}))
    c.append(Case("Sum-3-broadcast-op13", 13, [node("Sum", ["x", "a", "b"])],
                  {"x": x4, "a": rand(3, 1, 1, seed=5)}, {"b": rand(5, seed=6)}))
    c.append(Case("Sum-1-op8", 8, [node("Sum", ["x"])], {"x": x4}))
    c.append(Case("Sum-2-op6", 6, [node("Sum", ["x", "a"])], {"x": x4, "a": rand(2, 3, 4, 5, seed=7)}))

    # Softmax: 2-D coercion before opset 13, one axis after.
    x3 = rand(2, 3, 4, 5, scale=5.0)
    c.append(Case("Softmax-default-op11", 11, [node("Softmax", ["x"])], {"x": x3}))
    c.append(Case("Softmax-axis2-op11", 11, [node("Softmax", ["x"], axis=2)], {"x": x3}))
    c.append(Case("Softmax-axis0-op1", 1, [node("Softmax", ["x"], axis=0)], {"x": x3}))
    c.append(Case("Softmax-2d-op11", 11, [node("Softmax", ["x"], axis=-1)],
                  {"x": rand(4, 10, scale=3.0)}))
    c.append(Case("Softmax-default-op13", 13, [node("Softmax", ["x"])], {"x": x3}))
    c.append(Case("Softmax-axis1-op13", 13, [node("Softmax", ["x"], axis=1)], {"x": x3}))
    c.append(Case("Softmax-large-op13", 13, [node("Softmax", ["x"], axis=-1)],
                  {"x": rand(2, 10, scale=300.0)}))

    # Transpose.
    c.append(Case("Transpose-nhwc-op13", 13, [node("Transpose", ["x"], perm=[0, 2, 3, 1])], {"x": x4}))
    c.append(Case("Transpose-default-op1", 1, [node("Transpose", ["x"])], {"x": x4}))
    c.append(Case("Transpose-5d-shuffle-op13", 13, [node("Transpose", ["x"], perm=[0, 2, 1, 3, 4])],
                  {"x": rand(1, 2, 3, 4, 5)}))

    # Squeeze / Unsqueeze: axes attribute before 13, input from 13.
    x1 = rand(2, 1, 3, 1)
    c.append(Case("Squeeze-attr-op11", 11, [node("Squeeze", ["x"], axes=[-1])], {"x": x1}))
    c.append(Case("Squeeze-all-op1", 1, [node("Squeeze", ["x"])], {"x": x1}))
    c.append(Case("Squeeze-input-op13", 13, [node("Squeeze", ["x", "a"])], {"x": x1}, {"a": ints(1, 3)}))
    c.append(Case("Unsqueeze-attr-op1", 1, [node("Unsqueeze", ["x"], axes=[0, 3])], {"x": x4}))
    c.append(Case("Unsqueeze-neg-op11", 11, [node("Unsqueeze", ["x"], axes=[-1])], {"x": x4}))
    c.append(Case("Unsqueeze-input-op13", 13, [node("Unsqueeze", ["x", "a"])], {"x": x4}, {"a": ints(1, -1)}))

    # Split: attribute before 13, input from 13, num_outputs from 18.
    xs = rand(2, 6, 4, 5)
    two = ("y", "z")
    c.append(Case("Split-equal-op2", 2, [node("Split", ["x"], two, axis=1)], {"x": xs}, outputs=two))
    c.append(Case("Split-attr-op11", 11, [node("Split", ["x"], ("y", "z", "w"), axis=1, split=[1, 2, 3])],
                  {"x": xs}, outputs=("y", "z", "w")))
    c.append(Case("Split-neg-axis-op11", 11, [node("Split", ["x"], two, axis=-1, split=[2, 3])],
                  {"x": xs}, outputs=two))
    c.append(Case("Split-input-op13", 13, [node("Split", ["x", "s"], two, axis=1)], {"x": xs},
                  {"s": ints(4, 2)}, outputs=two))
    c.append(Case("Split-equal-op13", 13, [node("Split", ["x"], ("y", "z", "w"), axis=1)], {"x": xs},
                  outputs=("y", "z", "w")))
    c.append(Case("Split-num-outputs-op18", 18, [node("Split", ["x"], two, axis=3, num_outputs=2)],
                  {"x": xs}, outputs=two))

    # Slice: attributes before 10, inputs after; clamped starts/ends.
    xl = rand(3, 6, 7, 8)
    c.append(Case("Slice-attr-op1", 1, [node("Slice", ["x"], starts=[1, 2], ends=[3, 100], axes=[1, 3])],
                  {"x": xl}))
    c.append(Case("Slice-attr-noaxes-op9", 9, [node("Slice", ["x"], starts=[0, 1], ends=[2, -1])],
                  {"x": xl}))
    c.append(Case("Slice-steps-op10", 10, [node("Slice", ["x", "s", "e", "a", "t"])], {"x": xl},
                  {"s": ints(1, 0), "e": ints(6, 8), "a": ints(1, 3), "t": ints(2, 3)}))
    c.append(Case("Slice-negative-op13", 13, [node("Slice", ["x", "s", "e", "a"])], {"x": xl},
                  {"s": ints(-3, -100), "e": ints(INT64_MAX, -2), "a": ints(-1, 2)}))
    c.append(Case("Slice-noaxes-op11", 11, [node("Slice", ["x", "s", "e"])], {"x": xl},
                  {"s": ints(1, 3), "e": ints(2, 6)}))

    # Pad: attribute form before 11, input form after.
    xp = rand(1, 2, 4, 5)
    c.append(Case("Pad-constant-attr-op2", 2, [node("Pad", ["x"], pads=[0, 0, 1, 2, 0, 0, 2, 1], value=1.5)],
                  {"x": xp}))
    c.append(Case("Pad-reflect-attr-op2", 2,
                  [node("Pad", ["x"], mode="reflect", pads=[0, 0, 2, 1, 0, 0, 3, 4])], {"x": xp}))
    c.append(Case("Pad-constant-op11", 11, [node("Pad", ["x", "p", "v"])], {"x": xp},
                  {"p": ints(0, 1, 1, 0, 0, 0, 2, 3), "v": np.array(-2.0, np.float32)}))
    c.append(Case("Pad-constant-novalue-op13", 13, [node("Pad", ["x", "p"])], {"x": xp},
                  {"p": ints(0, 0, 1, 1, 0, 0, 1, 1)}))
    c.append(Case("Pad-edge-op11", 11, [node("Pad", ["x", "p"], mode="edge")], {"x": xp},
                  {"p": ints(0, 0, 3, 2, 0, 1, 1, 4)}))
    c.append(Case("Pad-reflect-op13", 13, [node("Pad", ["x", "p"], mode="reflect")], {"x": xp},
                  {"p": ints(0, 1, 3, 2, 0, 1, 1, 4)}))
    c.append(Case("Pad-axes-op18", 18, [node("Pad", ["x", "p", "", "a"], mode="edge")], {"x": xp},
                  {"p": ints(1, 2, 2, 1), "a": ints(-1, 2)}))

    # ReduceMean: axes attribute before 18, input from 18.
    c.append(Case("ReduceMean-spatial-op13", 13, [node("ReduceMean", ["x"], axes=[2, 3])], {"x": x4}))
    c.append(Case("ReduceMean-spatial-nokeep-op11", 11,
                  [node("ReduceMean", ["x"], axes=[-1, -2], keepdims=0)], {"x": x4}))
    c.append(Case("ReduceMean-channel-op13", 13, [node("ReduceMean", ["x"], axes=[1])], {"x": x4}))
    c.append(Case("ReduceMean-all-op1", 1, [node("ReduceMean", ["x"])], {"x": x4}))
    c.append(Case("ReduceMean-input-op18", 18, [node("ReduceMean", ["x", "a"], keepdims=0)], {"x": x4},
                  {"a": ints(0, 2)}))
    c.append(Case("ReduceMean-input-spatial-op18", 18, [node("ReduceMean", ["x", "a"])], {"x": x4},
                  {"a": ints(2, 3)}))

    # LRN across channels.
    xn = rand(2, 7, 4, 5, scale=3.0)
    c.append(Case("LRN-size5-op1", 1, [node("LRN", ["x"], size=5)], {"x": xn}))
    c.append(Case("LRN-size3-op13", 13, [node("LRN", ["x"], size=3, alpha=0.01, beta=0.5, bias=2.0)],
                  {"x": xn}))
    c.append(Case("LRN-size1-op13", 13, [node("LRN", ["x"], size=1, alpha=0.5)], {"x": xn}))

    # Shape subgraphs folded at import.
    for opset in (11, 13):
        axes_in = opset >= 13
        unsq = (node("Unsqueeze", ["n", "a0"], ["n1"]) if axes_in
                else node("Unsqueeze", ["n"], ["n1"], axes=[0]))
        inits = {"i0": np.array(0, np.int64), "m1": ints(-1)}
        if axes_in:
            inits["a0"] = ints(0)
        c.append(Case(f"Flatten-view-subgraph-op{opset}", opset,
                      [node("Shape", ["x"], ["s"]), node("Gather", ["s", "i0"], ["n"], axis=0),
                       unsq, node("Concat", ["n1", "m1"], ["shape"], axis=0),
                       node("Reshape", ["x", "shape"])], {"x": x4}, inits))
    # Channel shuffle with shape arithmetic: [N, C, H, W] ->
    # [N, 2, C/2, H, W] -> transpose -> back to Shape(x).
    xc = rand(1, 8, 3, 4)
    c.append(Case("ChannelShuffle-subgraph-op13", 13, [
        node("Shape", ["x"], ["s"]),
        node("Gather", ["s", "i0"], ["n"]), node("Gather", ["s", "i1"], ["c"]),
        node("Div", ["c", "g"], ["cg"]),
        node("Slice", ["s", "st", "en"], ["hw"]),
        node("Unsqueeze", ["n", "a0"], ["n1"]), node("Unsqueeze", ["cg", "a0"], ["cg1"]),
        node("Concat", ["n1", "g1", "cg1", "hw"], ["shape5"], axis=0),
        node("Reshape", ["x", "shape5"], ["r"]),
        node("Transpose", ["r"], ["t"], perm=[0, 2, 1, 3, 4]),
        node("Reshape", ["t", "s"])], {"x": xc},
        {"i0": np.array(0, np.int64), "i1": np.array(1, np.int64), "g": np.array(2, np.int64),
         "g1": ints(2), "st": ints(2), "en": ints(INT64_MAX), "a0": ints(0)}))
    c.append(Case("Shape-start-Cast-Mul-op15", 15, [
        node("Shape", ["x"], ["s"], start=-2), node("Cast", ["s"], ["sf"], to=TensorProto.FLOAT),
        node("Mul", ["sf", "k"], ["s2"]), node("Cast", ["s2"], ["si"], to=TensorProto.INT64),
        node("Sub", ["si", "d"], ["newshape"]),
        node("Squeeze", ["x"], ["y0"]), node("Reshape", ["y0", "newshape"], ["y1"]),
        node("Add", ["y1", "one"], ["y"])], {"x": rand(1, 4, 1, 6)},
        {"k": np.array([4.0, 2.0], np.float32), "d": ints(-2, 8),
         "one": np.array(1.0, np.float32)}))

    # Models cnnc must reject, with an error that names the node.
    def bad(name, opset, n, inputs, inits, error, outputs=("y",)):
        c.append(Case(f"error-{name}-op{opset}", opset, [n], inputs, inits, outputs,
                      error=f"node '{n.op_type}#0' ({n.op_type}, opset {opset}): {error}"))
    bad("Slice-negative-step", 13, node("Slice", ["x", "s", "e", "a", "t"]), {"x": xl},
        {"s": ints(5), "e": ints(0), "a": ints(1), "t": ints(-1)},
        "only positive steps are supported, got -1")
    bad("Slice-empty", 13, node("Slice", ["x", "s", "e"]), {"x": xl}, {"s": ints(2), "e": ints(1)},
        "the slice is empty")
    bad("Slice-runtime-starts", 13, node("Slice", ["x", "s", "e"]), {"x": xl, "s": rand(1)},
        {"e": ints(1)}, "input 1 (starts, 's') must be known at compile time")
    bad("Pad-negative", 13, node("Pad", ["x", "p"]), {"x": xp}, {"p": ints(0, 0, -1, 0, 0, 0, 0, 0)},
        "negative pads (cropping) are not supported")
    bad("Pad-reflect-too-large", 11, node("Pad", ["x", "p"], mode="reflect"), {"x": xp},
        {"p": ints(0, 0, 4, 0, 0, 0, 0, 0)}, "reflect pads (4) must be smaller than dim 2 (4)")
    bad("Pad-wrap", 19, node("Pad", ["x", "p"], mode="wrap"), {"x": xp},
        {"p": ints(0, 0, 1, 0, 0, 0, 0, 0)}, "unknown pad mode 'wrap'")
    bad("Split-sizes", 13, node("Split", ["x", "s"], two, axis=1), {"x": xs}, {"s": ints(2, 2)},
        "split sizes add up to 4, not the extent 6 of axis 1", outputs=two)
    bad("Split-uneven", 11, node("Split", ["x"], ("y", "z", "w", "v"), axis=1), {"x": xs}, {},
        "cannot split extent 6 into 4 equal parts", outputs=("y", "z", "w", "v"))
    bad("Squeeze-not-one", 13, node("Squeeze", ["x", "a"]), {"x": x1}, {"a": ints(0)},
        "cannot squeeze dim 0 of extent 2")
    bad("Gather-runtime-data", 13, node("Gather", ["x", "i"]), {"x": x4}, {"i": ints(0)},
        "input 0 (data, 'x') must be known at compile time")
    bad("Cast-double", 13, node("Cast", ["x"], to=TensorProto.DOUBLE), {"x": x4}, {},
        "cast to DOUBLE is not supported")
    bad("Softmax-axis", 13, node("Softmax", ["x"], axis=4), {"x": x4}, {},
        "axis 4 is out of range for rank 4")
    bad("LRN-no-size", 13, node("LRN", ["x"]), {"x": xn}, {}, "attribute 'size' is required")
    bad("PRelu-slope", 16, node("PRelu", ["x", "s"]), {"x": x4}, {"s": rand(4, 1, 1)},
        "slope does not broadcast to X")
    bad("ReduceMean-axes-attr", 18, node("ReduceMean", ["x"], axes=[1]), {"x": x4}, {},
        "unsupported attribute 'axes'")
    return c


def run(argv, timeout=120):
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=timeout)
    return res.returncode, res.stdout


def check(case, args):
    wd = os.path.join(args.workdir, re.sub(r"[^A-Za-z0-9_.-]", "_", case.name))
    os.makedirs(wd, exist_ok=True)
    onnx_path = os.path.join(wd, "model.onnx")
    so_path = os.path.join(wd, "model.so")
    model = case.model()
    onnx.save(model, onnx_path)
    if case.error:
        rc, out = run([args.cnnc, onnx_path, "-o", so_path, f"--target={args.target}"])
        if rc == 0:
            return False, "cnnc accepted the model"
        if case.error not in out:
            return False, "unexpected error: " + out.strip().replace("\n", " | ")
        return True, "rejected: " + case.error
    refs = cnnc_models.ort_run(onnx_path, list(case.inputs.values()))
    rc, out = run([args.cnnc, onnx_path, "-o", so_path, f"--target={args.target}"])
    if rc != 0:
        return False, "cnnc failed: " + out.strip().replace("\n", " | ")
    in_paths = []
    for i, a in enumerate(case.inputs.values()):
        p = os.path.join(wd, f"input{i}.npy")
        np.save(p, a)
        in_paths.append(p)
    out_paths = [os.path.join(wd, f"output{i}.npy") for i in range(len(case.outputs))]
    rc, out = run([args.cnnc_run, so_path, f"--device={args.target}"]
                  + [f"--input=@{p}" for p in in_paths]
                  + [f"--output=@{p}" for p in out_paths])
    if rc != 0:
        return False, "cnnc-run failed: " + out.strip().replace("\n", " | ")
    notes = []
    ok_all = True
    for p, ref in zip(out_paths, refs):
        ok, stats = cnnc_models.compare(np.load(p), ref)
        ok_all &= ok
        notes.append(f"err {stats['max_abs_err']:.2e} <= {stats['bound']:.2e}" if ok
                     else f"err {stats['max_abs_err']:.2e} > {stats['bound']:.2e} {stats['reason']}")
    return ok_all, "; ".join(notes)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cnnc", required=True)
    p.add_argument("--cnnc-run", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--filter", default="", help="run only cases whose name contains this")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--target", choices=("cpu", "vulkan", "cuda"), default="cpu",
                   help="cnnc target and cnnc-run device")
    args = p.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    selected = [c for c in cases() if args.filter in c.name]

    def guarded(case):
        try:
            return check(case, args)
        except Exception as e:  # a broken case must not hide the others
            return False, f"{type(e).__name__}: {e}"

    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for case, (ok, note) in zip(selected, pool.map(guarded, selected)):
            print(f"{'PASS' if ok else 'FAIL'} {case.name}: {note}", flush=True)
            if not ok:
                failed.append(case.name)
    print(f"{len(selected) - len(failed)} of {len(selected)} cases passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
