#!/usr/bin/env python3
"""cnnc conformance: the ONNX backend node tests for the CNN operator set.

    run_node_tests.py --cnnc PATH --cnnc-run PATH --workdir DIR
                      [--filter REGEX] [--jobs N] [--data-dir DIR]
                      [--exclusions FILE] [--timeout S] [--list]

The tests are the ones Debian's libonnx-testdata ships (ONNX 1.12) under
/usr/share/libonnx-testdata/data/node/<test>/{model.onnx,test_data_set_*/}.

Selection. A test is selected when every node of its graph is in the default
ONNX domain and has one of the op types of CNN_OPS below (the CNN operator set
of cnnc's conformance brief); a single node outside the set (say a Softmax
test's `_expanded` variant, made of ReduceMax/Exp/ReduceSum) leaves the test
out. Subgraphs need If/Loop/Scan, which are not in the set, so no selected
test has one. `--filter REGEX` (re.search on the name) narrows the selection;
`--list` prints the selection, and for every other test the op types that kept
it out, and exits.

Parameter inputs. cnnc compiles ahead of time and needs the parameters of some
ops at compile time (a Reshape's shape, a Slice's starts/ends/axes/steps, ...:
see `cnnc --list-ops`), while the node tests feed them as graph inputs. A graph
input is therefore folded into the model as an initializer holding the test's
own data when it is consumed only at the parameter positions of PARAM_INPUTS
below. Everything else stays a runtime input. (With one data set per test, as
every test here has, this is exactly the test's computation; a test with more
data sets and differing parameters would be compiled once per data set.)

Not applicable. cnnc supports float32 tensors only (int64 only for
compile-time shape data). A test with a remaining graph input or a graph
output that is not a float32 tensor (uint8 Add, int64 Shape outputs, a
Dropout's bool mask, optional/sequence types, ...) is reported as
`NOT-APPLICABLE name: dtype: ...` and not run.

Each remaining test: inputs written as .npy, `cnnc model.onnx -o model.so
--target=cpu`, `cnnc-run model.so --device=cpu --input=@in_i.npy ...
--output=@out_j.npy ...` (graph order), and every output compared with the
ONNX backend test's own tolerance, np.testing.assert_allclose(out, ref,
rtol=1e-3, atol=1e-7): same shape, |out - ref| <= 1e-7 + 1e-3 * |ref|
elementwise, NaN where the reference has NaN.

Exclusions. exclusions.txt next to this script (or --exclusions) holds one
`test_name: reason` per line; `#` starts a comment. A reason starting with
`BUG:` marks a cnnc bug (wrong numbers, crash, a rejected model that cnnc
claims to support) kept out of the failure count until it is fixed; any other
reason names something cnnc does not claim to support. Excluded tests still
run: a test that fails is reported `EXCLUDED name: reason`, followed by an
indented line with the failure it produced; one that passes is reported as a
FAIL so that its stale exclusion gets removed.

Output: one line per selected test, in name order:
    PASS name
    FAIL name: compile error: ... | run error: ... | mismatch: ...
    EXCLUDED name: reason
    NOT-APPLICABLE name: dtype: ...
then `node tests: N passed, N failed, N excluded, N not applicable` and the
wall time. Exit status 1 if any test FAILs, 2 on bad usage or missing data,
0 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
DEFAULT_EXCLUSIONS = os.path.join(_HERE, "exclusions.txt")

# The CNN operator set of the conformance brief.
CNN_OPS = frozenset("""
    Conv BatchNormalization Relu Clip LeakyRelu PRelu Sigmoid Tanh HardSigmoid
    HardSwish Softmax Add Sub Mul Div Sum MaxPool AveragePool GlobalAveragePool
    GlobalMaxPool ReduceMean LRN Concat Split Slice Reshape Flatten Transpose
    Squeeze Unsqueeze Gemm MatMul Pad Dropout Identity Constant Shape Gather
    Cast
""".split())

# Input positions that are op parameters which cnnc needs at compile time.
PARAM_INPUTS: Dict[str, Tuple[int, ...]] = {
    "Reshape": (1,),            # shape
    "Slice": (1, 2, 3, 4),      # starts, ends, axes, steps
    "Squeeze": (1,),            # axes
    "Unsqueeze": (1,),          # axes
    "Split": (1,),              # split
    "Pad": (1, 2, 3),           # pads, constant_value, axes
    "Clip": (1, 2),             # min, max
    "ReduceMean": (1,),         # axes (opset 18)
    "Dropout": (1, 2),          # ratio, training_mode
    "Gather": (1,),             # indices
}

RTOL = 1e-3
ATOL = 1e-7

COMPILE_TIMEOUT_S = 120
RUN_TIMEOUT_S = 60


# --------------------------------------------------------------------------
# Selection


def _domain_ok(node: onnx.NodeProto) -> bool:
    return node.domain in ("", "ai.onnx")


def outside_ops(model: onnx.ModelProto) -> List[str]:
    """Op types of the graph that keep the test out of the CNN set."""
    out = set()
    for node in model.graph.node:
        if not _domain_ok(node):
            out.add(f"{node.domain}.{node.op_type}")
        elif node.op_type not in CNN_OPS:
            out.add(node.op_type)
    return sorted(out)


def discover(data_dir: str, name_filter: Optional[str]):
    """-> (selected [(name, model)], not selected [(name, reason)])."""
    rx = re.compile(name_filter) if name_filter else None
    selected, others = [], []
    for name in sorted(os.listdir(data_dir)):
        path = os.path.join(data_dir, name, "model.onnx")
        if not os.path.isfile(path):
            continue
        if rx and not rx.search(name):
            continue
        model = onnx.load(path)
        bad = outside_ops(model)
        if bad:
            others.append((name, "ops outside the set: " + ", ".join(bad)))
        else:
            selected.append((name, model))
    return selected, others


# --------------------------------------------------------------------------
# Model preparation


def _type_name(vi: onnx.ValueInfoProto) -> Optional[str]:
    """None for a float32 tensor, else a short description of the type."""
    t = vi.type
    kind = t.WhichOneof("value")
    if kind != "tensor_type":
        return kind.replace("_type", "") if kind else "untyped"
    et = t.tensor_type.elem_type
    if et == onnx.TensorProto.FLOAT:
        return None
    return onnx.TensorProto.DataType.Name(et).lower()


def param_inputs(model: onnx.ModelProto) -> List[str]:
    """Graph inputs consumed only at PARAM_INPUTS positions."""
    g = model.graph
    inits = {t.name for t in g.initializer}
    names = [i.name for i in g.input if i.name not in inits]
    uses: Dict[str, List[bool]] = {n: [] for n in names}
    for node in g.node:
        params = PARAM_INPUTS.get(node.op_type, ())
        for pos, inp in enumerate(node.input):
            if inp in uses:
                uses[inp].append(pos in params)
    return [n for n in names if uses[n] and all(uses[n])]


def read_tensor(path: str) -> np.ndarray:
    return numpy_helper.to_array(onnx.load_tensor(path))


def data_sets(test_dir: str) -> List[str]:
    return sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_")
                  and os.path.isdir(os.path.join(test_dir, d)))


def tensors_of(set_dir: str, prefix: str) -> List[str]:
    files = [f for f in os.listdir(set_dir)
             if f.startswith(prefix) and f.endswith(".pb")]
    return [os.path.join(set_dir, f)
            for f in sorted(files, key=lambda f: int(f[len(prefix):-3]))]


# --------------------------------------------------------------------------
# One test


class Result:
    def __init__(self, kind: str, detail: str = ""):
        self.kind = kind        # PASS FAIL NA
        self.detail = detail


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _error_line(text: str) -> str:
    """The line of a tool's stderr that names the error."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if "error" in ln.lower():
            return ln
    return lines[-1] if lines else ""


def _exec(cmd: List[str], timeout: int, what: str) -> Optional[str]:
    """Runs cmd; None on success, else the failure reason."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"{what} error: timed out after {timeout} s"
    if p.returncode == 0:
        return None
    msg = _error_line(p.stderr) or _first_line(p.stdout) or "(no message)"
    if p.returncode < 0:
        try:
            sig = signal.Signals(-p.returncode).name
        except ValueError:
            sig = f"signal {-p.returncode}"
        return f"{what} error: crashed ({sig}): {msg}"
    return f"{what} error: exit {p.returncode}: {msg}"


def compare(out: np.ndarray, ref: np.ndarray, name: str) -> Optional[str]:
    if out.shape != ref.shape:
        return (f"mismatch: output '{name}' shape {list(out.shape)}, "
                f"expected {list(ref.shape)}")
    try:
        np.testing.assert_allclose(out, ref, rtol=RTOL, atol=ATOL)
    except AssertionError:
        o = out.astype(np.float64)
        r = ref.astype(np.float64)
        nan = np.isnan(o) != np.isnan(r)
        with np.errstate(invalid="ignore"):
            err = np.where(np.isnan(r) & np.isnan(o), 0.0, np.abs(o - r))
            bad = nan | ~(err <= ATOL + RTOL * np.abs(r))
        i = np.unravel_index(int(np.argmax(np.where(bad, 1, 0))), bad.shape) \
            if bad.size else ()
        where = (f"; first at {list(i)}: got {o[i]:.7g}, expected {r[i]:.7g}"
                 if bad.size else "")
        maxerr = float(np.nanmax(err)) if err.size else 0.0
        return (f"mismatch: output '{name}' max abs err {maxerr:.3g}, "
                f"{int(bad.sum())}/{bad.size} elements outside "
                f"rtol={RTOL:g} atol={ATOL:g}{where}")
    return None


def run_test(name: str, model: onnx.ModelProto, data_dir: str, work: str,
             cnnc: str, cnnc_run: str,
             compile_timeout: int = COMPILE_TIMEOUT_S) -> Result:
    test_dir = os.path.join(data_dir, name)
    g = model.graph
    sets = data_sets(test_dir)
    if not sets:
        return Result("FAIL", "test has no test_data_set")
    inits = {t.name for t in g.initializer}
    inputs = [i for i in g.input if i.name not in inits]
    folded = param_inputs(model)

    # dtype applicability, after folding the parameter inputs.
    for vi in inputs:
        if vi.name in folded:
            continue
        tn = _type_name(vi)
        if tn:
            return Result("NA", f"dtype: input '{vi.name}' is {tn}")
    for vi in g.output:
        tn = _type_name(vi)
        if tn:
            return Result("NA", f"dtype: output '{vi.name}' is {tn}")

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    artifact = None
    last_params = None
    for ds in sets:
        set_dir = os.path.join(test_dir, ds)
        in_files = tensors_of(set_dir, "input_")
        out_files = tensors_of(set_dir, "output_")
        if len(in_files) != len(inputs) or len(out_files) != len(g.output):
            return Result("FAIL", f"{ds}: {len(in_files)} inputs and "
                          f"{len(out_files)} outputs for a graph of "
                          f"{len(inputs)} and {len(g.output)}")
        values = [read_tensor(f) for f in in_files]
        params = {vi.name: v for vi, v in zip(inputs, values)
                  if vi.name in folded}
        sd = os.path.join(work, ds)
        os.makedirs(sd)

        # (Re)compile when the folded parameters change (once per test here).
        if artifact is None or not _same(params, last_params):
            if params:
                m = onnx.ModelProto()
                m.CopyFrom(model)
                keep = [vi for vi in m.graph.input if vi.name not in params]
                del m.graph.input[:]
                m.graph.input.extend(keep)
                for pname, v in params.items():
                    m.graph.initializer.append(
                        numpy_helper.from_array(v, pname))
                model_path = os.path.join(sd, "model.onnx")
                onnx.save(m, model_path)
            else:
                model_path = os.path.join(test_dir, "model.onnx")
            artifact = os.path.join(sd, "model.so")
            err = _exec([cnnc, model_path, "-o", artifact, "--target=cpu"],
                        compile_timeout, "compile")
            if err:
                return Result("FAIL", err)
            last_params = params

        cmd = [cnnc_run, artifact, "--device=cpu"]
        for vi, v in zip(inputs, values):
            if vi.name in folded:
                continue
            p = os.path.join(sd, f"in_{vi.name}.npy".replace("/", "_"))
            np.save(p, np.asarray(v, dtype=np.float32, order="C"))
            cmd.append("--input=@" + p)
        outs = []
        for j in range(len(g.output)):
            p = os.path.join(sd, f"out_{j}.npy")
            outs.append(p)
            cmd.append("--output=@" + p)
        err = _exec(cmd, RUN_TIMEOUT_S, "run")
        if err:
            return Result("FAIL", err)
        for vi, p, rf in zip(g.output, outs, out_files):
            try:
                out = np.load(p)
            except Exception as e:  # noqa: BLE001
                return Result("FAIL", f"run error: output '{vi.name}' "
                              f"unreadable: {e}")
            msg = compare(out, read_tensor(rf), vi.name)
            if msg:
                return Result("FAIL", msg if len(sets) == 1
                              else f"{ds}: {msg}")
    return Result("PASS")


def _same(a: Optional[dict], b: Optional[dict]) -> bool:
    if a is None or b is None or a.keys() != b.keys():
        return False
    return all(a[k].shape == b[k].shape and np.array_equal(a[k], b[k])
               for k in a)


# --------------------------------------------------------------------------
# Exclusions


def load_exclusions(path: str) -> Dict[str, str]:
    excl: Dict[str, str] = {}
    if not os.path.exists(path):
        return excl
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, sep, reason = line.partition(":")
            name, reason = name.strip(), reason.strip()
            if not sep or not name or not reason or " " in name:
                raise SystemExit(f"{path}:{lineno}: expected "
                                 f"'test_name: reason', got {line!r}")
            if name in excl:
                raise SystemExit(f"{path}:{lineno}: {name} listed twice")
            excl[name] = reason
    return excl


# --------------------------------------------------------------------------


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cnnc", help="path of the cnnc compiler")
    ap.add_argument("--cnnc-run", help="path of cnnc-run")
    ap.add_argument("--workdir", help="scratch directory (emptied per test)")
    ap.add_argument("--filter", help="run only tests whose name matches "
                    "this regular expression (re.search)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="tests run in parallel (default 2)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                    help=f"node test directory (default {DEFAULT_DATA_DIR})")
    ap.add_argument("--exclusions", default=DEFAULT_EXCLUSIONS,
                    help="exclusion list (default: exclusions.txt here)")
    ap.add_argument("--timeout", type=int, default=COMPILE_TIMEOUT_S,
                    help="seconds allowed per compile (default %(default)s)")
    ap.add_argument("--list", action="store_true",
                    help="print the selection and exit")
    args = ap.parse_args(argv)

    if not os.path.isdir(args.data_dir):
        print(f"error: no node tests at {args.data_dir} "
              "(Debian package libonnx-testdata)", file=sys.stderr)
        return 2
    t0 = time.time()
    selected, others = discover(args.data_dir, args.filter)
    excl = load_exclusions(args.exclusions)

    if args.list:
        for name, model in selected:
            ops = sorted({n.op_type for n in model.graph.node})
            print(f"SELECTED {name}: {' '.join(ops) or '(no nodes)'}")
        for name, why in others:
            print(f"NOT-SELECTED {name}: {why}")
        print(f"{len(selected)} selected, {len(others)} not selected")
        return 0

    for opt in ("cnnc", "cnnc_run", "workdir"):
        if not getattr(args, opt):
            ap.error(f"--{opt.replace('_', '-')} is required")
    for tool in (args.cnnc, args.cnnc_run):
        if not os.access(tool, os.X_OK):
            print(f"error: {tool} is not an executable", file=sys.stderr)
            return 2
    os.makedirs(args.workdir, exist_ok=True)

    print(f"node tests from {args.data_dir}: {len(selected)} selected "
          f"(every node's op type in the CNN set), {len(others)} not "
          f"selected; {len(excl)} exclusions in "
          f"{args.exclusions}")
    sys.stdout.flush()

    def job(item):
        name, model = item
        try:
            return name, run_test(name, model, args.data_dir,
                                  os.path.join(args.workdir, name),
                                  args.cnnc, args.cnnc_run, args.timeout)
        except Exception as e:  # noqa: BLE001 -- a harness error is a FAIL
            return name, Result("FAIL", f"harness error: "
                                f"{type(e).__name__}: {e}")

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = dict(pool.map(job, selected))

    counts = {"passed": 0, "failed": 0, "excluded": 0, "not applicable": 0}
    bugs = 0
    for name, _ in selected:
        r = results[name]
        if r.kind == "NA":
            counts["not applicable"] += 1
            line = f"NOT-APPLICABLE {name}: {r.detail}"
            if name in excl:
                line += " (also in exclusions.txt: remove it there)"
            print(line)
        elif name in excl:
            if r.kind == "PASS":
                counts["failed"] += 1
                print(f"FAIL {name}: excluded as '{excl[name]}' but passes "
                      "now; remove its line from exclusions.txt")
            else:
                counts["excluded"] += 1
                bugs += excl[name].startswith("BUG:")
                print(f"EXCLUDED {name}: {excl[name]}")
                print(f"    (fails with: {r.detail})")
        elif r.kind == "PASS":
            counts["passed"] += 1
            print(f"PASS {name}")
        else:
            counts["failed"] += 1
            print(f"FAIL {name}: {r.detail}")

    selected_names = {n for n, _ in selected}
    if not args.filter:
        for name in sorted(set(excl) - selected_names):
            print(f"warning: exclusions.txt names {name}, which is not a "
                  "selected test")
    if bugs:
        print(f"{bugs} of the excluded tests are known cnnc bugs "
              "(exclusions with reason 'BUG: ...')")
    print(f"node tests: {counts['passed']} passed, {counts['failed']} "
          f"failed, {counts['excluded']} excluded, "
          f"{counts['not applicable']} not applicable")
    print(f"time: {time.time() - t0:.1f} s with {args.jobs} jobs")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
