#!/usr/bin/env python3
"""End-to-end numerical check of one network: cnnc against ONNX Runtime.

    check_model.py --model mobilenet_v2 [--batch 1] [--size 224] [--opset 13]
                   [--seed 0] [--keep-batchnorm] --cnnc PATH --cnnc-run PATH
                   --workdir DIR [--target cpu] [--device cpu] [--rtol 1e-4] [--atol 1e-5]

Exports the torchvision model (seeded random weights, calibrated BatchNorm)
to DIR/model.onnx, writes the seeded input to DIR/input.npy, computes the ONNX
Runtime reference, compiles with `cnnc`, runs with `cnnc-run`, and compares
every output normwise: pass iff max|out - ref| <= atol + rtol * max|ref|.

Exit status: 0 all outputs match, 1 a mismatch (a line says MISMATCH),
2 a tool failed or produced no output (its stderr is printed), 3 bad usage.
Nothing is cached: the files this script writes are removed first.
"""

import argparse
import os
import shlex
import subprocess
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnnc_models  # noqa: E402

EXIT_OK, EXIT_MISMATCH, EXIT_TOOL, EXIT_USAGE = 0, 1, 2, 3


def run_tool(argv, what, timeout):
    """Runs one tool; on failure prints why and returns None, else the result."""
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    try:
        res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=timeout)
    except FileNotFoundError:
        print(f"error: {what}: {argv[0]}: not found", flush=True)
        return None
    except PermissionError:
        print(f"error: {what}: {argv[0]}: not executable", flush=True)
        return None
    except subprocess.TimeoutExpired as e:
        print(f"error: {what} timed out after {timeout}s", flush=True)
        if e.stderr:
            sys.stdout.write(e.stderr if isinstance(e.stderr, str) else e.stderr.decode())
        return None
    if res.returncode != 0:
        sig = f" (signal {-res.returncode})" if res.returncode < 0 else ""
        print(f"error: {what} failed with exit status {res.returncode}{sig}; stderr:", flush=True)
        sys.stdout.write(res.stderr if res.stderr else "(empty)\n")
        if res.stdout:
            print("stdout:")
            sys.stdout.write(res.stdout)
        sys.stdout.flush()
        return None
    return res


def compare_all(outs, refs, rtol, atol):
    """Prints one line per output; returns True iff every output matches."""
    if len(outs) != len(refs):
        print(f"MISMATCH: {len(outs)} outputs, reference has {len(refs)}")
        return False
    all_ok = True
    for i, (o, r) in enumerate(zip(outs, refs)):
        ok, stats = cnnc_models.compare(o, r, rtol=rtol, atol=atol)
        print(cnnc_models.format_compare(i, ok, stats))
        all_ok &= ok
    return all_ok


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2, which here means a tool failed
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def parse_args(argv):
    p = _Parser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="torchvision model name, e.g. mobilenet_v2")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=224, help="input height and width")
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and of the input")
    p.add_argument("--keep-batchnorm", action="store_true",
                   help="keep BatchNormalization nodes in the ONNX graph (torch folds them otherwise)")
    p.add_argument("--cnnc", required=True, help="path of the cnnc compiler")
    p.add_argument("--cnnc-run", required=True, help="path of cnnc-run")
    p.add_argument("--workdir", required=True, help="directory for the model, input and outputs")
    p.add_argument("--target", default="cpu", help="cnnc --target (default cpu)")
    p.add_argument("--cnnc-flag", action="append", default=[],
                   help="extra cnnc flag, e.g. --cnnc-flag=-O0 (repeatable)")
    p.add_argument("--device", default=None, help="cnnc-run --device (default: the target)")
    p.add_argument("--rtol", type=float, default=cnnc_models.DEFAULT_RTOL)
    p.add_argument("--atol", type=float, default=cnnc_models.DEFAULT_ATOL)
    p.add_argument("--ort-threads", type=int, default=1)
    p.add_argument("--timeout", type=int, default=900, help="seconds allowed for each tool")
    args = p.parse_args(argv)
    if args.device is None:
        args.device = args.target
    return args


def main(argv=None):
    args = parse_args(argv)
    wd = os.path.abspath(args.workdir)
    os.makedirs(wd, exist_ok=True)
    onnx_path = os.path.join(wd, "model.onnx")
    so_path = os.path.join(wd, "model.so")
    in_path = os.path.join(wd, "input.npy")
    # Remove everything this script may have left behind in an earlier run.
    for f in os.listdir(wd):
        if f in ("model.onnx", "model.so", "input.npy") or (f.startswith("output") and f.endswith(".npy")):
            os.remove(os.path.join(wd, f))

    shape = (args.batch, 3, args.size, args.size)
    print(f"model {args.model} input {list(shape)} opset {args.opset} seed {args.seed} "
          f"batchnorm {'kept' if args.keep_batchnorm else 'folded by exporter'} "
          f"target {args.target} rtol {args.rtol:g} atol {args.atol:g}", flush=True)

    t0 = time.time()
    try:
        model = cnnc_models.build(args.model, args.seed, calib_size=args.size)
    except ValueError as e:
        print(f"error: {e}")
        return EXIT_USAGE
    cnnc_models.export(model, onnx_path, shape, args.opset, keep_batchnorm=args.keep_batchnorm)
    ops = cnnc_models.op_counts(onnx_path)
    print(f"exported {sum(ops.values())} nodes ({ops.get('Conv', 0)} Conv, "
          f"{ops.get('BatchNormalization', 0)} BatchNormalization) in {time.time() - t0:.1f}s")
    if args.keep_batchnorm and any(isinstance(m, cnnc_models._bn_types()) for m in model.modules()) \
            and not ops.get("BatchNormalization"):
        print("error: --keep-batchnorm but the exported graph has no BatchNormalization node")
        return EXIT_TOOL

    x = cnnc_models.make_input(shape, args.seed)
    np.save(in_path, x)
    refs = cnnc_models.ort_run(onnx_path, [x], threads=args.ort_threads)
    n_out = len(cnnc_models.io_names(onnx_path)[1])
    out_paths = [os.path.join(wd, f"output{i}.npy") for i in range(n_out)]

    if run_tool([args.cnnc, onnx_path, "-o", so_path, f"--target={args.target}"] + args.cnnc_flag,
                "cnnc", args.timeout) is None:
        return EXIT_TOOL
    if not os.path.isfile(so_path):
        print(f"error: cnnc exited 0 but wrote no {so_path}")
        return EXIT_TOOL
    run_argv = [args.cnnc_run, so_path, f"--device={args.device}", f"--input=@{in_path}"]
    run_argv += [f"--output=@{p}" for p in out_paths]
    if run_tool(run_argv, "cnnc-run", args.timeout) is None:
        return EXIT_TOOL
    outs = []
    for p in out_paths:
        if not os.path.isfile(p):
            print(f"error: cnnc-run exited 0 but wrote no {p}")
            return EXIT_TOOL
        try:
            outs.append(np.load(p, allow_pickle=False))
        except Exception as e:  # a malformed .npy is the tool's fault
            print(f"error: cannot read {p}: {e}")
            return EXIT_TOOL

    if compare_all(outs, refs, args.rtol, args.atol):
        print("PASS")
        return EXIT_OK
    print("MISMATCH")
    return EXIT_MISMATCH


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # export or reference failed: not a numerical mismatch
        import traceback
        traceback.print_exc(file=sys.stdout)
        print("error: check_model.py failed before the comparison")
        sys.exit(EXIT_TOOL)
